"""The workload: how many requests, how many tokens each, and how they are billed.

Tokens per day alone hides what drives cost: context re-sent on every turn, long prompts that
cross a provider's long-context tier, the share of input served from a prompt cache, and the
share that can wait for a batch API. So the workload is described per request.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from engine._arrays import ArrayLike, check, out

#: Average days in a month (365 / 12): monthly figures are annual figures divided by twelve.
DAYS_PER_MONTH = 365.0 / 12.0
#: Hours in an average month (8,760 / 12).
HOURS_PER_MONTH = 8760.0 / 12.0
SECONDS_PER_DAY = 86_400.0


@dataclasses.dataclass(frozen=True)
class Workload:
    """Traffic to serve. Fields may be numpy arrays (one element per scenario).

    Attributes
    ----------
    requests_per_day : requests/day, average over the month.
    input_tokens_per_request : prompt tokens per request, cached ones included.
    output_tokens_per_request : generated tokens per request.
    cached_input_share : fraction of input tokens served from the provider's prompt cache (0–1).
    batch_share : fraction of requests that can go through a batch API (0–1).
    monthly_growth : traffic growth per month as a fraction (0.05 = +5 %/month).
    peak_to_average : peak-hour request rate ÷ average rate (≥ 1); self-hosting sizes for it.
    """

    requests_per_day: ArrayLike = 10_000.0
    input_tokens_per_request: ArrayLike = 1_500.0
    output_tokens_per_request: ArrayLike = 500.0
    cached_input_share: ArrayLike = 0.0
    batch_share: ArrayLike = 0.0
    monthly_growth: ArrayLike = 0.0
    peak_to_average: ArrayLike = 2.0

    def __post_init__(self) -> None:
        check(self.requests_per_day, "requests_per_day")
        check(self.input_tokens_per_request, "input_tokens_per_request")
        check(self.output_tokens_per_request, "output_tokens_per_request")
        check(self.cached_input_share, "cached_input_share", high=1.0)
        check(self.batch_share, "batch_share", high=1.0)
        check(self.monthly_growth, "monthly_growth", low=-1.0, low_open=True)
        check(self.peak_to_average, "peak_to_average", low=1.0)

    @classmethod
    def from_tokens_per_day(
        cls, tokens_per_day: ArrayLike, input_output_ratio: ArrayLike = 3.0,
        tokens_per_request: ArrayLike = 2_000.0, **kwargs: Any,
    ) -> Workload:
        """A workload given total tokens/day, the input:output ratio and tokens per request.

        Examples
        --------
        >>> w = Workload.from_tokens_per_day(5e6, input_output_ratio=3, tokens_per_request=2000)
        >>> w.requests_per_day, w.input_tokens_per_request, w.output_tokens_per_request
        (2500.0, 1500.0, 500.0)
        """
        t = check(tokens_per_day, "tokens_per_day")
        r = check(input_output_ratio, "input_output_ratio")
        per = check(tokens_per_request, "tokens_per_request", low_open=True)
        return cls(
            requests_per_day=out(t / per),
            input_tokens_per_request=out(per * r / (1 + r)),
            output_tokens_per_request=out(per / (1 + r)),
            **kwargs,
        )

    def replace(self, **changes: Any) -> Workload:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    @property
    def tokens_per_request(self) -> Any:
        """Input + output tokens per request."""
        return out(np.add(self.input_tokens_per_request, self.output_tokens_per_request))

    @property
    def tokens_per_day(self) -> Any:
        """Total billed tokens per day (input + output)."""
        return out(np.multiply(self.requests_per_day, self.tokens_per_request))

    def at_month(self, month: ArrayLike) -> Workload:
        """The workload in month ``month`` (1 = first month), grown at ``monthly_growth``."""
        m = np.asarray(month, dtype=np.float64)
        factor = np.power(1.0 + np.asarray(self.monthly_growth, dtype=np.float64), m - 1.0)
        return self.replace(requests_per_day=out(np.multiply(self.requests_per_day, factor)))

    def scaled(self, share: ArrayLike) -> Workload:
        """The part of this workload that a traffic share (0–1) carries."""
        s = check(share, "share", high=1.0)
        return self.replace(requests_per_day=out(np.multiply(self.requests_per_day, s)))


def conversation_input_tokens(
    turns: ArrayLike, user_tokens_per_turn: ArrayLike, output_tokens_per_turn: ArrayLike,
    system_prompt_tokens: ArrayLike = 0.0,
) -> Any:
    """Average billed input tokens per request in a chat that re-sends its history every turn.

    Parameters
    ----------
    turns : number of user turns in a conversation (≥ 1).
    user_tokens_per_turn : tokens the user adds per turn.
    output_tokens_per_turn : tokens the model answers per turn (they join the history).
    system_prompt_tokens : tokens of the system prompt sent with every request.

    Returns
    -------
    float or ndarray
        Input tokens billed per request (per turn), averaged over the conversation.

    Notes
    -----
    Turn :math:`t` sends the system prompt, all previous user and model messages and the new
    user message: :math:`s + t\\,u + (t-1)\\,o`. Averaged over :math:`T` turns:
    :math:`s + u\\,(T+1)/2 + o\\,(T-1)/2`. This is why a chatbot bills 2–10× the tokens
    its users type.

    Examples
    --------
    >>> conversation_input_tokens(10, 50, 150, 500)   # 500 + 50*5.5 + 150*4.5
    1450.0
    """
    t = check(turns, "turns", low=1.0)
    u = check(user_tokens_per_turn, "user_tokens_per_turn")
    o = check(output_tokens_per_turn, "output_tokens_per_turn")
    s = check(system_prompt_tokens, "system_prompt_tokens")
    return out(s + u * (t + 1) / 2 + o * (t - 1) / 2)


def tokens_estimate(characters: ArrayLike, chars_per_token: ArrayLike = 4.0) -> Any:
    """Estimate tokens from a character count.

    Notes
    -----
    tokens = ceil(characters / chars_per_token). OpenAI's rule of thumb for English text is
    ~4 characters per token (OpenAI Help Center, "What are tokens and how to count them?");
    Russian or code is denser (≈2–3 characters per token with the GPT-4o tokenizer), so pass
    your own ratio.

    Examples
    --------
    >>> tokens_estimate(1000)
    250.0
    """
    c = check(characters, "characters")
    r = check(chars_per_token, "chars_per_token", low_open=True)
    return out(np.ceil(c / r))
