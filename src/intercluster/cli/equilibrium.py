"""Equilibrium distributions of clusters with site preferences at several mixing
ratios (a Le Chatelier series, as Figure 1a / Table 2 of Zhong et al., Dalton
Trans. 2021), site occupancies per composition and the equilibrium constant of
every exchange step. Writes distributions.csv, binomial.csv, occupancies.csv,
exchange_constants.csv, summary.json, le_chatelier.png and occupancies.png into
a new folder.

The site model comes from CONFIG (a simulation TOML whose model is ``site`` or
``site:<classes>``, e.g. examples/m7h_site_direct.toml) or from --sites and
--energy; ratios are parent clusters A_N:B_N (metal A first) or explicit, e.g.
'Cu7:Ag7 = 6:1'."""

from __future__ import annotations

HELP = "site-preference equilibria: Le Chatelier series, occupancies, exchange constants"


def add_arguments(p) -> None:
    p.add_argument("config", nargs="?", metavar="CONFIG", help="TOML with a site model (optional)")
    p.add_argument(
        "--sites",
        metavar="SPEC",
        help="site classes, e.g. 'top:1,tri:3,cap:3' (default: CONFIG's, else the M7H "
        "tricapped tetrahedron top:1,tri:3,cap:3)",
    )
    p.add_argument(
        "--energy",
        action="append",
        default=[],
        metavar="CLASS=G",
        help="exchange free energy of a class [kJ/mol], metal A minus metal B (repeat; default 0)",
    )
    p.add_argument("--metals", nargs=2, metavar=("A", "B"), help="metals A and B (default Cu Ag)")
    p.add_argument("--temperature", type=float, metavar="K", help="temperature [K] (298.15)")
    p.add_argument(
        "--ratios",
        nargs="+",
        metavar="RATIO",
        help="mixing ratios A_N:B_N (default: 6:1 4:1 2:1 1:1 1:2 1:4 1:6, as in Zhong 2021)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (must not exist)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG figures")


def site_model_from_args(args):
    """(SiteModel, ExchangeSystem) from CONFIG and the options."""
    from intercluster.errors import ConfigError, bad_value
    from intercluster.network import M7H_CLASSES, ExchangeSystem, SiteModel, SiteRateModel

    energies: dict[str, float] = {}
    metals = ("Cu", "Ag")
    temperature = 298.15
    spec = M7H_CLASSES
    if args.config:
        from intercluster.kinetics.config import SimulationConfig
        from intercluster.network import get_model

        cfg = SimulationConfig.from_toml(args.config)
        model = get_model(cfg.model)
        if not isinstance(model, SiteRateModel):
            raise ConfigError(
                bad_value(
                    f"{args.config} [model] name",
                    cfg.model,
                    "a site model: 'site' or 'site:<classes>'",
                )
            )
        params = model.resolve_parameters(cfg.parameters)
        base = model.site_model(params)
        spec = base.spec
        energies = dict(zip(base.names, base.energies_kJ_mol))
        temperature = base.temperature_K
        metals = (cfg.system.metal_a, cfg.system.metal_b)
    if args.sites:
        spec = args.sites
        energies = {}
    for item in args.energy:
        name, sep, value = item.partition("=")
        try:
            energies[name.strip()] = float(value)
        except ValueError:
            raise ConfigError(
                bad_value("--energy", item, "CLASS=G with G in kJ/mol, e.g. top=12.6")
            ) from None
        if not sep:
            raise ConfigError(bad_value("--energy", item, "CLASS=G, e.g. top=12.6"))
    if args.metals:
        metals = tuple(args.metals)
    if args.temperature is not None:
        temperature = args.temperature
    model = SiteModel.from_spec(spec, energies, temperature)
    if args.config:
        model.check_size(cfg.system.n_atoms, where=f"system of {args.config}")
    system = ExchangeSystem(metals[0], metals[1], model.n_atoms, 0, "direct")
    return model, system


def run(args) -> int:
    import json

    import numpy as np
    import pandas as pd

    from intercluster.io import atomic_output_dir, check_output_dir
    from intercluster.thermo.sites import (
        ZHONG2021_RATIOS,
        exchange_constants,
        le_chatelier_series,
        site_occupancies,
    )

    model, system = site_model_from_args(args)
    ratios = args.ratios or list(ZHONG2021_RATIOS)
    check_output_dir(args.out, args.overwrite)
    series = le_chatelier_series(model, ratios, system)
    binom = le_chatelier_series(
        model.with_energies(dict.fromkeys(model.names, 0.0)), ratios, system
    )
    occ = site_occupancies(model)
    labels = [system.label(s) for s in system.monomers]
    occ_frame = pd.DataFrame(
        occ,
        index=pd.Index(labels, name="composition"),
        columns=[f"{n} ({k} sites)" for n, k in zip(model.names, model.sizes)],
    )
    K = exchange_constants(model)
    rt = model.rt_kJ_mol
    rows = [
        {
            "donor": labels[x],
            "acceptor": labels[y],
            "reaction": f"{labels[x]} + {labels[y]} -> {labels[x - 1]} + {labels[y + 1]}",
            "K": K[x, y],
            "dG_kJ_mol": -rt * np.log(K[x, y]),
        }
        for x in range(1, model.n_atoms + 1)
        for y in range(model.n_atoms)
        if x != y + 1
    ]
    a, b, N = system.metal_a, system.metal_b, model.n_atoms
    energies = ", ".join(f"{n} {g:g}" for n, g in zip(model.names, model.energies_kJ_mol))
    print(
        f"site model {model.spec} (N = {N}), g({a} - {b}) = {energies} kJ/mol, "
        f"T = {model.temperature_K:g} K"
    )
    stats = series.attrs["stats"]
    if N <= 12:
        print(f"equilibrium percentages by mixing ratio {a}{N}:{b}{N} (Le Chatelier series):")
        print(series.round(1).to_string())
        widths = "  ".join(f"{r} {s['width_ratio']:.2f}" for r, s in stats.items())
        print(f"width vs binomial: {widths}")
        print("fraction of each class holding " + a + ":")
        print(occ_frame.round(3).to_string())
    else:  # too wide for a terminal: the tables are in the CSV files
        print(
            f"equilibrium by mixing ratio {a}{N}:{b}{N} (Le Chatelier series; tables in "
            "distributions.csv and occupancies.csv):"
        )
        for r, st in stats.items():
            print(
                f"  {r}: most abundant {series.loc[r].idxmax()}, mean {st['mean']:.2f} {a}, "
                f"std {st['std']:.2f} (binomial {st['binomial_std']:.2f}; width "
                f"{st['width_ratio']:.2f} x binomial)"
            )
    from intercluster.cli._record import command_line

    summary = {
        "command": command_line(args),  # shown by `intercluster report`
        "site_model": {
            "classes": dict(zip(model.names, model.sizes)),
            "g_kJ_mol": dict(zip(model.names, model.energies_kJ_mol)),
            "temperature_K": model.temperature_K,
            "metal_a": a,
            "metal_b": b,
        },
        "ratio_convention": f"{a}{N}:{b}{N}",
        "distributions_percent": series.to_dict(orient="index"),
        "binomial_percent": binom.to_dict(orient="index"),
        "stats": stats,
    }
    with atomic_output_dir(args.out, args.overwrite) as tmp:
        series.to_csv(tmp / "distributions.csv")
        binom.to_csv(tmp / "binomial.csv")
        occ_frame.to_csv(tmp / "occupancies.csv")
        pd.DataFrame(rows).to_csv(tmp / "exchange_constants.csv", index=False)
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2))
        names = [
            "distributions.csv",
            "binomial.csv",
            "occupancies.csv",
            "exchange_constants.csv",
            "summary.json",
        ]
        if not args.no_plots:
            from intercluster.plot.kinetics import save
            from intercluster.plot.thermo import le_chatelier_figure, occupancy_figure

            title = f"sites {model.spec}; g = {energies} kJ/mol ({a} - {b})"
            save(le_chatelier_figure(series, binom, title), tmp / "le_chatelier.png")
            save(
                occupancy_figure(
                    occ, [f"{n} ({k})" for n, k in zip(model.names, model.sizes)], labels, title
                ),
                tmp / "occupancies.png",
            )
            names += ["le_chatelier.png", "occupancies.png"]
    print(f"outputs in {args.out}: {' '.join(names)}")
    return 0
