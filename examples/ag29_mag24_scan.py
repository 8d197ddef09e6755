"""Worked example: [Ag29(BDT)12(TPP)4]3- + [MAg24(DMBT)18]q- (Acharya et al., J. Phys.
Chem. C 2025, doi:10.1021/acs.jpcc.4c07077), M = Ag, Au, Pd, Pt at 1:1, seen through the
observation model; then the dependence of the dimer ions on the Ag29 concentration
(their Figure S15, qualitatively). Prints the tables of docs/example-ag29-mag24.md and
writes its figures:

    python examples/ag29_mag24_scan.py [--img docs/img]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from intercluster.kinetics.config import SimulationConfig

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "ag29_mag24.toml"
AG29 = "[Ag29(BDT)12(TPP)4]3-"
MAG24 = {
    "Ag": "[Ag25(DMBT)18]-",
    "Au": "[AuAg24(DMBT)18]-",
    "Pd": "[PdAg24(DMBT)18]2-",
    "Pt": "[PtAg24(DMBT)18]2-",
}
#: m/z printed by Acharya et al. 2025 (Figure 1B and text; Figure 3B for Pt@IV).
PRINTED_MZ = {
    "Ag": (3198, 3117, 3280, 3326),
    "Au": (3228, 3146, 3309),
    "Pd": (3234, 3198, 3152),
    "Pt": (3263, 3227, 3181),
}


def mixture(metal: str, ag29_nM: float = 1000.0, mag24_nM: float = 1000.0) -> str:
    return f"{AG29}:{MAG24[metal]} = {ag29_nM:g}:{mag24_nM:g}"


def run(metal: str, ag29_nM: float = 1000.0, mag24_nM: float = 1000.0, cfg=None):
    """The 48 h simulation of one mixture, through the config's observation model."""
    cfg = cfg or SimulationConfig.from_toml(CONFIG)
    return cfg.with_overrides(initial=mixture(metal, ag29_nM, mag24_nM)).run()


def dimer_share(ds) -> np.ndarray:
    """Share of the total ion signal carried by the dimers' ions, per time."""
    return ds.intensity.where(ds.observable_size == 2, 0.0).sum("observable").values


def dimer_to_parent(ds, metal: str) -> np.ndarray:
    """Signal of the dimers' ions over the signal of the MAg24 parent ion, per time."""
    dimers = ds.intensity.where(ds.observable_size == 2, 0.0).sum("observable").values
    return dimers / ds.intensity.sel(observable=MAG24[metal]).values


def main(img: Path | None = None) -> None:
    cfg = SimulationConfig.from_toml(CONFIG)
    i5 = 1  # 5 min
    results = {}
    print("observed dimer ions (1:1, 1000 nmol/L each); intensities normalised to all ions")
    print(f"{'M':2} {'ion':30} {'m/z':>8} {'printed':>7} {'e-':>3} {'5 min':>7} {'48 h':>7}")
    for metal in MAG24:
        ds = run(metal, cfg=cfg)
        results[metal] = ds
        size = dict(zip(ds.observable.values, ds.observable_size.values))
        for k, ion in enumerate(ds.observed_ion.values):
            if size[str(ds.observed_ion_source.values[k])] != 2:
                continue
            y = ds.observed_ion_intensity.values[:, k]
            if y.max() <= 0:
                continue
            m = float(ds.observed_ion_mz_average.values[k])
            printed = min(PRINTED_MZ[metal], key=lambda p: abs(p - m))
            shown = f"{printed}" if abs(printed - m) < 1 else "-"
            e = int(ds.observed_ion_valence_electrons.values[k])
            print(f"{metal:2} {ion:30} {m:8.2f} {shown:>7} {e:3d} {y[i5]:7.4f} {y[-1]:7.4f}")
    print()
    print("M = Au, [AuAg24] = 1000 nmol/L: dimer ions vs the Ag29 concentration")
    print("(ratio: dimer ions / [AuAg24(DMBT)18]- ion; share: of the total ion signal)")
    concs = [250.0, 500.0, 1000.0, 2000.0, 4000.0]
    ratio = []
    print(
        f"{'[Ag29] nM':>9} {'ratio 5 min':>11} {'ratio 48 h':>10} "
        f"{'share 5 min':>11} {'share 48 h':>10} {'AuAg24 paired 48 h':>18}"
    )
    for c in concs:
        ds = run("Au", c, 1000.0, cfg=cfg)
        s, r = dimer_share(ds), dimer_to_parent(ds, "Au")
        ratio.append((r[i5], r[-1]))
        dimer = ds.concentration.where(ds.species_size == 2, 0.0).sum("species").values[-1]
        print(
            f"{c:9.0f} {r[i5]:11.4f} {r[-1]:10.3f} {s[i5]:11.4f} {s[-1]:10.4f} "
            f"{dimer / 1000.0:18.3f}"
        )
    if img is not None:
        from intercluster.plot.kinetics import save
        from intercluster.plot.observation import concentration_scan_figure, observed_figure

        img.mkdir(parents=True, exist_ok=True)
        for metal in ("Au", "Pt"):
            save(observed_figure(results[metal]), img / f"ag29_mag24_{metal}.png")
        save(
            concentration_scan_figure(
                concs,
                np.array(ratio),
                ["5 min", "48 h"],
                ylabel="dimer ions / [AuAg24(DMBT)18]$^-$ ion",
                logy=True,
            ),
            img / "ag29_mag24_scan.png",
        )
        print(f"figures in {img}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--img", type=Path, default=None, help="write the figures here")
    main(parser.parse_args().img)
