"""Chunks on a Dask distributed cluster give exactly the local answers."""

from __future__ import annotations

import distributed  # in the test extra (dask[distributed]): CI installs it
import pytest

from templates.recalc.batch.simulate import simulate
from templates.recalc.batch.sweep import sweep

DISTS = {"requests_per_day": "lognormal(10,1)", "gpu_hourly": "pert(1.5,2.4,4)"}
OUTS = ["out_api_monthly", "out_selfhost_monthly", "cheaper"]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as c:
        yield c


def test_simulate_on_dask_equals_local(tco_book, cluster):
    local = simulate(tco_book, DISTS, 4000, OUTS, seed=11, chunk_size=1000, tornado=False)
    remote = simulate(tco_book, DISTS, 4000, OUTS, seed=11, chunk_size=1000, tornado=False,
                      dask=cluster.scheduler_address)
    assert local.samples.equals(remote.samples)
    assert local.stats.equals(remote.stats)


def test_sweep_on_dask_equals_local(tco_book, cluster):
    vary = {"requests_per_day": "1000:1e7:40:log", "gpu_hourly": "1:4:3"}
    local = sweep(tco_book, vary, OUTS)
    remote = sweep(tco_book, vary, OUTS, dask=cluster.scheduler_address)
    assert local.equals(remote)


def test_unreachable_scheduler_is_input_error(tco_book):
    from templates.recalc.batch import BatchInputError

    with pytest.raises(BatchInputError) as err:
        sweep(tco_book, {"gpu_hourly": "1:2:2"}, OUTS, dask="tcp://127.0.0.1:9")
    assert err.value.argument == "--dask"
