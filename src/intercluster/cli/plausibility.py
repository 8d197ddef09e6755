"""Plausibility of rate constants (Neumaier et al. 2021, eqs 4-7): the diffusion limit
k_D, the Debye factor for two like-charged clusters, the dimer lifetime and the
Poisson statistics of exchanges per lifetime. Defaults: DMF at 298 K, R = 12.7 A,
the sim3 constants of Table 1."""

from __future__ import annotations

HELP = "diffusion limit, Debye factor, dimer lifetime and exchanges per lifetime"


def add_arguments(p) -> None:
    p.add_argument("--k-dim", type=float, default=1e-2, metavar="K", help="[L nmol^-1 s^-1]")
    p.add_argument("--k-diss", type=float, default=5.6e-2, metavar="K", help="[s^-1]")
    p.add_argument("--k-ex", type=float, default=3.2e-2, metavar="K", help="[s^-1]")
    p.add_argument(
        "--viscosity",
        type=float,
        default=0.799e-3,
        metavar="PA_S",
        help="solvent viscosity [Pa s] (DMF: 0.799e-3)",
    )
    p.add_argument("--eps-r", type=float, default=38.4, help="relative permittivity (DMF: 38.4)")
    p.add_argument("--temperature", type=float, default=298.0, metavar="K", help="[K]")
    p.add_argument(
        "--distance",
        type=float,
        default=12.7,
        metavar="A",
        help="reaction distance [Angstrom] (2 x radius of [Au25]-)",
    )
    p.add_argument("--charges", type=int, nargs=2, default=(-1, -1), metavar=("QA", "QB"))


def run(args) -> int:
    from intercluster.thermo import plausibility as pl

    kd = pl.diffusion_limited_rate(args.temperature, args.viscosity)
    f = pl.debye_factor(
        args.charges[0], args.charges[1], args.distance, args.eps_r, args.temperature
    )
    tau = pl.dimer_lifetime_s(args.k_diss)
    mean = pl.mean_exchanges_per_lifetime(args.k_ex, args.k_diss)
    probs = pl.exchange_probabilities(args.k_ex, args.k_diss, 5)
    ratio = pl.encounter_limit_ratio(
        args.k_dim,
        args.charges[0],
        args.charges[1],
        args.distance,
        args.eps_r,
        args.temperature,
        args.viscosity,
    )
    print(f"diffusion limit k_D (eq 4)          {kd:8.3g} L nmol^-1 s^-1")
    print(f"Debye factor (eq 5)                 {f:8.3g}")
    print(
        f"f_Debye x k_D                       {f * kd:8.3g} L nmol^-1 s^-1 "
        f"({ratio:.3g} x k_dim = {args.k_dim:g})"
    )
    print(f"dimer lifetime 1/k_diss (eq 6)      {tau:8.3g} s")
    print(f"mean exchanges per lifetime (eq 7)  {mean:8.3g}")
    print(
        "P(k exchanges per lifetime)         "
        + "  ".join(f"{k}: {p:.3f}" for k, p in enumerate(probs))
    )
    return 0
