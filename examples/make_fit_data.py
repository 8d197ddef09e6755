"""Synthetic data for the fit examples: sim3 (or sim2) with the Table 1 constants of
Neumaier et al. 2021, 3 % multiplicative noise, 5 % of the spectra dropped.

    python examples/make_fit_data.py            # writes examples/data/sim3_40-40.csv ...
    python examples/make_fit_data.py --model sim2

Each file has the layout of `intercluster simulate`'s observables.csv (time_s, then
one column per observable, normalised intensities), every 10 s from 0 to 3600 s
after a 20 s dead time.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from intercluster import ExchangeSystem
from intercluster.fit.synthetic import synthetic_intensities, write_observables_csv
from intercluster.network import get_model

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="sim3", choices=("sim1", "sim2", "sim3"))
    parser.add_argument("--n-atoms", type=int, default=25)
    parser.add_argument("--noise", type=float, default=0.03, help="relative noise (0.03 = 3 %%)")
    parser.add_argument("--dropout", type=float, default=0.05, help="fraction of spectra lost")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(HERE / "data"))
    args = parser.parse_args()
    system = ExchangeSystem("Ag", "Au", args.n_atoms)
    params = dict(get_model(args.model).defaults)  # Table 1
    N = args.n_atoms
    for k, (a, b) in enumerate(((40, 40), (100, 60))):
        t, labels, y = synthetic_intensities(
            system, args.model, params, f"Ag{N}:Au{N} = {a}:{b}", t_end_s=3600, dt_s=10,
            dead_time_s=20, noise_rel=args.noise, dropout=args.dropout, seed=args.seed + k,
        )
        path = write_observables_csv(
            Path(args.out) / f"{args.model}_{a}-{b}.csv", t, labels, y, float_format="%.6g"
        )
        print(f"{path}: {len(t)} times x {len(labels)} observables ({args.model}, {params})")


if __name__ == "__main__":
    main()
