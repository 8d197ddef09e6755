"""Simulate 2D EXSY of an exchange network at equilibrium: the pseudo-first-order
exchange rates between species and the peak-volume matrix V(t_m) = expm(-L t_m)
diag(M_eq) for each mixing time (Zhong et al., Dalton Trans. 2021, Figure 4).
CONFIG is a simulation TOML (e.g. examples/m7h_site_direct.toml); its mixture
sets the equilibrium. Writes equilibrium.csv, rates.csv, volumes_<t>ms.csv,
normalized_<t>ms.csv, cross_peaks.csv, summary.json, result.nc (the xarray Dataset
of intercluster.nmr.simulate_exsy) and exsy.png into a new folder."""

from __future__ import annotations

from intercluster.cli._common import add_config_options, config_from_args

HELP = "2D EXSY: exchange matrix and peak volumes at mixing times"


def add_arguments(p) -> None:
    add_config_options(p, config_required=True)
    p.add_argument(
        "--mixing-times",
        type=float,
        nargs="+",
        required=True,
        metavar="S",
        help="mixing times [s], e.g. 0.4 0.8",
    )
    p.add_argument("--t1", type=float, metavar="S", help="uniform longitudinal relaxation T1 [s]")
    p.add_argument(
        "--threshold",
        type=float,
        default=0.05,
        help="a cross peak counts as visible at >= this fraction of the geometric mean of "
        "its two diagonal peaks at zero mixing time (default 0.05)",
    )
    p.add_argument(
        "--min-population",
        type=float,
        default=1e-3,
        metavar="F",
        help="species below this fraction of all clusters count as not observed (default 0.001)",
    )
    p.add_argument(
        "--shifts-ppm",
        type=float,
        nargs="+",
        metavar="PPM",
        help="chemical shift of every species (in species order) for the plot; default: "
        "species evenly spaced",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (must not exist)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    p.add_argument("--no-plots", action="store_true", help="skip exsy.png")


def run(args) -> int:
    import json

    import numpy as np
    import pandas as pd

    from intercluster.errors import ConfigError, bad_value
    from intercluster.io import atomic_output_dir, check_output_dir
    from intercluster.nmr.exsy import check_exsy_memory, simulate_exsy

    cfg = config_from_args(args)
    check_output_dir(args.out, args.overwrite)
    check_exsy_memory(cfg.system.n_species, len(args.mixing_times))
    network = cfg.network()
    if args.shifts_ppm is not None and len(args.shifts_ppm) != network.n_species:
        raise ConfigError(
            bad_value(
                "--shifts-ppm",
                args.shifts_ppm,
                f"one shift per species ({network.n_species}: {', '.join(network.species_labels)})",
            )
        )
    if not 0 <= args.min_population < 1:
        raise ConfigError(
            bad_value("--min-population", args.min_population, "a fraction in [0, 1)")
        )
    ds = simulate_exsy(
        network,
        cfg.initial,
        args.mixing_times,
        t1_s=args.t1,
        threshold=args.threshold,
        min_population=args.min_population,
    )
    labels = list(ds.species.values)
    n_a = np.asarray(ds.n_a.values)
    pops = ds.population.values
    share = pops / pops.sum()
    s = cfg.system
    params = ", ".join(f"{k} = {v:g}" for k, v in network.parameters.items())
    print(
        f"system: {s.metal_a}/{s.metal_b}, N = {s.n_atoms}, {s.mechanism} exchange, "
        f"model {network.model.name} ({params})"
    )
    print("equilibrium: " + "  ".join(f"{lab} {100 * x:.1f}%" for lab, x in zip(labels, share)))
    dimer = np.asarray([sp.is_dimer for sp in network.system.species])

    def _step(i, j) -> str:
        """How two species are related: metal atoms exchanged, or monomer and dimer."""
        if dimer[i] != dimer[j]:
            return "monomer-dimer"
        return f"differing by {int(abs(n_a[i] - n_a[j]))}"

    cross_rows = []
    summary_times = {}
    for t in ds.mixing_time.values:
        cp = ds.cross_peak.sel(mixing_time=t).values
        norm = ds.normalized.sel(mixing_time=t).values
        pairs = [(i, j) for i, j in zip(*np.nonzero(np.triu(cp)))]
        by_step: dict[str, int] = {}
        for i, j in pairs:
            key = _step(i, j)
            by_step[key] = by_step.get(key, 0) + 1
        steps = ", ".join(f"{n} pairs {d}" for d, n in sorted(by_step.items()))
        print(
            f"mixing time {t * 1000:g} ms: {len(pairs)} cross-peak pairs >= "
            f"{args.threshold:g} ({steps or 'none'})"
        )
        for i, j in pairs:
            print(f"    {labels[i]} <-> {labels[j]}  {norm[i, j]:.3f}")
        summary_times[f"{t * 1000:g} ms"] = {
            "cross_peak_pairs": [[labels[i], labels[j], float(norm[i, j])] for i, j in pairs],
            "pairs_by_relation": by_step,
        }
        for i in range(len(labels)):
            for j in range(i + 1, len(labels)):
                cross_rows.append(
                    {
                        "mixing_time_s": float(t),
                        "species_1": labels[i],
                        "species_2": labels[j],
                        "relation": _step(i, j),
                        "normalized_volume": float(norm[i, j]),
                        "visible": bool(cp[i, j]),
                    }
                )
    from intercluster.cli._record import command_line

    summary = {
        "command": command_line(args),  # shown by `intercluster report`
        "config": cfg.to_dict(),
        "threshold": args.threshold,
        "min_population": args.min_population,
        "t1_s": args.t1,
        "equilibrium_fraction": dict(zip(labels, map(float, share))),
        "mixing_times": summary_times,
    }
    with atomic_output_dir(args.out, args.overwrite) as tmp:
        pd.DataFrame(
            {
                "species": labels,
                "equilibrium_nM": ds.equilibrium_nM.values,
                "population": pops,
                "fraction": share,
            }
        ).to_csv(tmp / "equilibrium.csv", index=False)
        pd.DataFrame(
            ds.rate.values, index=pd.Index(labels, name="from \\ to"), columns=labels
        ).to_csv(tmp / "rates.csv")
        names = ["equilibrium.csv", "rates.csv"]
        for t in ds.mixing_time.values:
            tag = f"{t * 1000:g}ms"
            for var in ("volume", "normalized"):
                frame = pd.DataFrame(
                    ds[var].sel(mixing_time=t).values,
                    index=pd.Index(labels, name="detected \\ labelled"),
                    columns=labels,
                )
                name = f"{'volumes' if var == 'volume' else 'normalized'}_{tag}.csv"
                frame.to_csv(tmp / name)
                names.append(name)
        pd.DataFrame(cross_rows).to_csv(tmp / "cross_peaks.csv", index=False)
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2))
        ds.assign(cross_peak=ds.cross_peak.astype("int8")).to_netcdf(tmp / "result.nc")
        names += ["cross_peaks.csv", "summary.json", "result.nc"]
        if not args.no_plots:
            from intercluster.plot.kinetics import save
            from intercluster.plot.nmr import exsy_figure

            save(
                exsy_figure(ds, args.shifts_ppm, min_population=args.min_population),
                tmp / "exsy.png",
            )
            names.append("exsy.png")
    print(f"outputs in {args.out}: {' '.join(names)}")
    return 0
