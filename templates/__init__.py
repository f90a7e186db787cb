from templates.workbooks import TEMPLATES, build_template
