"""Fit equilibrium distributions measured at several mixing ratios with the binomial
and with site-preference models (least squares), and compare them by AIC. TABLE is
a CSV (columns parts_<A><N>, parts_<B><N>, species, percent[, sigma_percent]; see
src/intercluster/data/zhong2021_table2.csv); without TABLE, Table 2 of Zhong et
al., Dalton Trans. 2021 (Cu_xAg_(7-x)(H), E = Se) is used. Writes fit.json,
predictions.csv and fit.png into a new folder."""

from __future__ import annotations

HELP = "fit binomial and site-preference models to equilibrium percentages"

#: Site models tried for N = 7 when --sites is not given (the tricapped tetrahedron of
#: Zhong 2021: inner tetrahedron vs caps, and apex/base/caps).
DEFAULT_M7_SITES = ("tet:4,cap:3", "top:1,tri:3,cap:3")


def add_arguments(p) -> None:
    p.add_argument(
        "table", nargs="?", metavar="TABLE", help="CSV table (default: Zhong 2021 Table 2)"
    )
    p.add_argument(
        "--sites",
        action="append",
        metavar="SPEC",
        help="a site model to fit, e.g. 'top:1,tri:3,cap:3' (repeat; default for N = 7: "
        + " and ".join(DEFAULT_M7_SITES)
        + "); the last class is the energy reference",
    )
    p.add_argument(
        "--sigma-pct",
        type=float,
        metavar="S",
        help="absolute uncertainty of every percentage [percentage points] (default: the "
        "table's sigma_percent, else 1.0 with intervals scaled by the reduced chi-square)",
    )
    p.add_argument(
        "--fixed-ratio",
        action="store_true",
        help="use the nominal mixing ratios (do not fit the effective ratio factor kappa)",
    )
    p.add_argument(
        "--blank",
        choices=("zero", "missing"),
        default="zero",
        help="empty cells: measured zeros (default) or not fitted",
    )
    p.add_argument("--temperature", type=float, default=298.15, metavar="K", help="[K]")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (must not exist)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    p.add_argument("--no-plots", action="store_true", help="skip fit.png")


def run(args) -> int:
    import json
    import math

    from intercluster.errors import ConfigError
    from intercluster.io import atomic_output_dir, check_output_dir
    from intercluster.thermo.equilibrium_fit import (
        compare_equilibrium_models,
        load_equilibrium_table,
        zhong2021_table2,
    )

    check_output_dir(args.out, args.overwrite)
    table = load_equilibrium_table(args.table) if args.table else zhong2021_table2()
    sites = args.sites
    if not sites:
        if table.n_atoms != 7:
            raise ConfigError(
                f"--sites: no default site model for N = {table.n_atoms}; give one, e.g. "
                "--sites 'centre:1,shell:12,staple:12'"
            )
        sites = list(DEFAULT_M7_SITES)
    fits = compare_equilibrium_models(
        table,
        sites,
        fit_ratio_factor=not args.fixed_ratio,
        sigma_percent=args.sigma_pct,
        temperature_K=args.temperature,
        blank=args.blank,
    )
    best = fits[0]
    weights = [math.exp(-(f.aic - best.aic) / 2) for f in fits]
    total = sum(weights)
    a, b, N = table.metal_a, table.metal_b, table.n_atoms
    print(
        f"table: {table.source}, {len(table.ratio_labels)} ratios {a}{N}:{b}{N} "
        f"({' '.join(table.ratio_labels)}), {len(table.group_labels)} columns, "
        f"{best.n_data} values"
    )
    sigma_note = (
        "uncertainties from the table"
        if not best.covariance_scaled
        else f"sigma {best.sigma.flat[0]:g} percentage point(s) assumed; intervals scaled by "
        "chi2/dof"
    )
    print(f"models by AIC ({sigma_note}):")
    for f, w in zip(fits, weights):
        print(
            f"  {f.model:24s} chi2 {f.chi2:8.1f}  dof {f.dof:3d}  AIC {f.aic:7.1f}  "
            f"dAIC {f.aic - best.aic:6.1f}  weight {w / total:.3g}  RMS {f.rms_residual:5.2f}  "
            f"max |res| {f.max_abs_residual:5.2f} (percentage points)"
        )
        for name, v, lo, hi in zip(f.parameter_names, f.values, f.ci95[:, 0], f.ci95[:, 1]):
            print(f"      {name:16s} {v:9.3f}   95% [{lo:.3f}, {hi:.3f}]")
        for e in f.equivalent:
            print(
                "      equivalent (equal-size classes interchanged): "
                + ", ".join(f"{n} {g:.3f}" for n, g in e.items())
            )
    print(f"preferred: {best.model}")
    frames = []
    for f in fits:
        fr = f.frame().rename(
            columns={
                "predicted_percent": f"predicted_{f.model}",
                "residual_percent": f"residual_{f.model}",
            }
        )
        frames.append(fr)
    merged = frames[0]
    for fr in frames[1:]:
        merged = merged.merge(
            fr.drop(columns=["observed_percent", "sigma_percent"]), on=["ratio", "species"]
        )
    report = {
        "table": table.source,
        "ratio_convention": f"{a}{N}:{b}{N}",
        "preferred": best.model,
        "models": [
            {**f.to_dict(), "delta_aic": f.aic - best.aic, "akaike_weight": w / total}
            for f, w in zip(fits, weights)
        ],
    }
    with atomic_output_dir(args.out, args.overwrite) as tmp:
        (tmp / "fit.json").write_text(json.dumps(report, indent=2))
        merged.to_csv(tmp / "predictions.csv", index=False)
        names = ["fit.json", "predictions.csv"]
        if not args.no_plots:
            from intercluster.plot.kinetics import save
            from intercluster.plot.thermo import equilibrium_fit_figure

            save(equilibrium_fit_figure(fits), tmp / "fit.png")
            names.append("fit.png")
    print(f"outputs in {args.out}: {' '.join(names)}")
    return 0
