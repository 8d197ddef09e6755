"""Options shared by several subcommands."""

from __future__ import annotations

import argparse


def add_config_options(parser: argparse.ArgumentParser, config_required: bool = False) -> None:
    """CONFIG plus the options that override it (system, model, rate constants, times)."""
    parser.add_argument(
        "config",
        nargs=None if config_required else "?",
        metavar="CONFIG",
        help="TOML run configuration (see examples/)"
        + ("" if config_required else "; defaults: sim3, Ag25:Au25 = 40:40 nmol/L"),
    )
    g = parser.add_argument_group("overrides of the configuration")
    g.add_argument("--model", help="rate model: sim1, sim2, sim3 (Neumaier 2021, Table 1)")
    g.add_argument("--k-dim", type=float, metavar="K", help="k_dim [L nmol^-1 s^-1]")
    g.add_argument("--k-diss", type=float, metavar="K", help="k_diss [s^-1]")
    g.add_argument("--k-ex", type=float, metavar="K", help="k_ex [s^-1]")
    g.add_argument("--metal-a", help="metal A (counted by m), e.g. Ag")
    g.add_argument("--metal-b", help="metal B, e.g. Au")
    g.add_argument("--n-atoms", type=int, metavar="N", help="metal atoms per cluster")
    g.add_argument("--charge", type=int, help="monomer charge, e.g. -1")
    g.add_argument(
        "--mechanism",
        choices=("dimer", "direct"),
        help="exchange through transient dimers (default) or directly between "
        "two clusters (k_ex then in L nmol^-1 s^-1)",
    )
    g.add_argument(
        "--initial", metavar="MIXTURE", help="mixture at t = 0 [nmol/L], e.g. 'Ag25:Au25 = 100:60'"
    )
    g.add_argument("--dead-time", type=float, metavar="S", help="dead time [s]")
    g.add_argument("--t-end", type=float, metavar="S", help="end of the output axis [s]")
    g.add_argument("--dt", type=float, metavar="S", help="output step [s]")
    g.add_argument("--rtol", type=float, help="relative tolerance of the integrator")
    g.add_argument("--atol", type=float, metavar="NM", help="absolute tolerance [nmol/L]")
    g.add_argument(
        "--allow-large",
        action="store_true",
        default=None,
        help="build networks above the size limit (25,000 species)",
    )


def config_from_args(args):
    """The SimulationConfig of CONFIG (or defaults) with the command-line overrides."""
    from dataclasses import replace

    from intercluster.kinetics.config import SimulationConfig
    from intercluster.network.system import ExchangeSystem

    cfg = SimulationConfig.from_toml(args.config) if args.config else SimulationConfig()
    system_over = {
        k: v
        for k, v in (
            ("metal_a", args.metal_a),
            ("metal_b", args.metal_b),
            ("n_atoms", args.n_atoms),
            ("charge", args.charge),
            ("mechanism", args.mechanism),
        )
        if v is not None
    }
    if system_over and not isinstance(cfg.system, ExchangeSystem):
        from intercluster.errors import ConfigError

        flag = "--" + next(iter(system_over)).replace("_", "-")
        raise ConfigError(
            f"{flag} = {next(iter(system_over.values()))!r}: the system options apply to a "
            f"[system] configuration; {args.config} describes families, so edit its [[family]] "
            "sections"
        )
    if system_over:
        s = cfg.system
        system = ExchangeSystem(
            **{
                "metal_a": s.metal_a,
                "metal_b": s.metal_b,
                "n_atoms": s.n_atoms,
                "charge": s.charge,
                "mechanism": s.mechanism,
                **system_over,
            }
        )
        # a default mixture of the two parent clusters follows the system
        initial = cfg.initial
        if args.initial is None and not args.config:
            initial = f"{system.metal_a}{system.n_atoms}:{system.metal_b}{system.n_atoms} = 40:40"
        cfg = replace(cfg, system=system, initial=initial)
    return cfg.with_overrides(
        model=args.model,
        k_dim=args.k_dim,
        k_diss=args.k_diss,
        k_ex=args.k_ex,
        initial=args.initial,
        dead_time_s=args.dead_time,
        t_end_s=args.t_end,
        dt_s=args.dt,
        rtol=args.rtol,
        atol_nM=args.atol,
        allow_large=args.allow_large,
    )
