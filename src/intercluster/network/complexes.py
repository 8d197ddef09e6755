"""Complexes (assemblies of up to K cluster subunits) and their statistical factors.

A species of a general network is either a :class:`Complex` (a multiset of
subunits (family, x); a free cluster is a complex of one subunit, a dimer of two,
a trimer of three) or a :class:`Fragment` (a small species released or taken up
by a rule, e.g. triphenylphosphine). A complex isomer is the multiset of its
subunit compositions: ``[(Ag13Au12)(Ag12Au13)]2-``; its charge is the sum.

Statistical factors, derived by counting ordered subunit tuples
--------------------------------------------------------------
Label the k subunit positions of a complex C; m_C(s) is the multiplicity of
subunit type s = (family, x) in C, and sigma_C = prod_s m_C(s)! its symmetry
number (2 for a homodimer or a trimer {a, a, b}, 6 for {a, a, a}).

- association X + Y -> C: mass action counts unordered encounters, so the factor
  is 1/2 if X and Y are the same species, else 1 (:func:`association_factor`);
- dissociation C -> X + Y: the number of unordered partitions of C's labelled
  positions into two groups with compositions X and Y,
  prod_s C(m_C(s), m_X(s)), halved when X == Y (:func:`dissociation_factor`).
  Dimer: always 1; trimer {a, a, b} -> {a, a} + b: 1, -> {a, b} + a: 2;
  {a, a, a} -> {a, a} + a: 3;
- exchange inside C, one A atom from a subunit of type d to one of type a (one B
  atom back): the number of ordered pairs of distinct positions with those
  types, m(d) m(a), or m(d)(m(d) - 1) if d == a (:func:`exchange_factor`);
  reactions whose product equals the reactant are dropped;
- direct exchange between two free clusters X + Y: factor 1 per (donor,
  acceptor) choice; X + X gives one reaction at factor 1.

With these factors, every reversible rule whose model factors obey detailed
balance and whose association constants do not depend on composition (sim1,
sim2 of Neumaier et al., JACS 2021, 143, 6969) relaxes to a random assembly:
[C] = K_C prod_(positions) [subunit] / sigma_C, with K_C the product of the
association constants along any assembly path, and every reversible pair's
net flux vanishes. Proof sketch: for a reversible pair the ratio of forward and
backward statistical factors equals sigma_products/sigma_reactants times the
ratio of the (free-cluster) weights, e.g. for C -> X + Y,
prod_s C(m_C(s), m_X(s)) = sigma_C / (sigma_X sigma_Y) (the 1/2 of X == Y appears on
both sides), and for exchange m(d) m(a)/sigma_C = 1/sigma(C - {d, a}), the same
for the product because C - {d, a} is unchanged by the exchange. For the dimers
of one family these are exactly the factors of Neumaier et al.'s model
(homodimer formation at k_dim/2, exchange out of {m, m} at 2 k_ex).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

__all__ = [
    "Complex",
    "Fragment",
    "association_factor",
    "count_multisets",
    "dissociation_factor",
    "exchange_factor",
    "symmetry_number",
]


class Complex(tuple):
    """A multiset of subunits (family index, x), stored as a sorted tuple of pairs.

    ``Complex(((0, 12),))`` is a free cluster of family 0 with 12 A atoms;
    ``Complex(((0, 12), (0, 13)))`` the dimer isomer {12, 13}. A Complex is a tuple
    (hashing and comparison at C speed; a plain sorted tuple of pairs is an equal key).
    """

    __slots__ = ()

    @classmethod
    def of(cls, *subunits: tuple[int, int]) -> Complex:
        return cls(tuple(sorted(subunits)))

    @property
    def subunits(self) -> tuple[tuple[int, int], ...]:
        return tuple(self)

    @property
    def size(self) -> int:
        """Number of subunits (1 free cluster, 2 dimer, 3 trimer)."""
        return len(self)

    @property
    def families(self) -> tuple[int, ...]:
        """Family indices of the subunits, sorted (the complex type)."""
        return tuple(f for f, _ in self)

    @property
    def multiplicity(self) -> Counter:
        return Counter(self)

    def __add__(self, other) -> Complex:
        return Complex(tuple(sorted(tuple(self) + tuple(other))))

    def minus(self, other) -> Complex | None:
        """This complex without the subunits of ``other`` (None if not contained)."""
        items = list(self)
        for s in other:
            try:
                items.remove(s)
            except ValueError:
                return None
        return Complex(items)  # removal keeps the sorted order

    def replace(self, old: tuple[int, int], new: tuple[int, int]) -> Complex:
        """One subunit ``old`` replaced by ``new``."""
        items = list(self)
        items.remove(old)
        items.append(new)
        return Complex(sorted(items))

    def __repr__(self) -> str:
        return f"Complex({tuple(self)!r})"


@dataclass(frozen=True, order=True)
class Fragment:
    """A small species named in the model (index into its fragment table)."""

    index: int

    @property
    def size(self) -> int:
        return 0


def symmetry_number(c: Complex) -> int:
    """sigma_C = prod over subunit types of multiplicity! (1, 2 or 6 up to trimers)."""
    return math.prod(math.factorial(m) for m in Counter(c).values())


def association_factor(x: Complex, y: Complex) -> float:
    """Statistical factor of X + Y -> C: 1/2 for two identical species, else 1."""
    return 0.5 if tuple(x) == tuple(y) else 1.0


def dissociation_factor(c: Complex, x: Complex, y: Complex) -> float:
    """Unordered partitions of C's labelled positions into groups with compositions X, Y.

    prod_s C(m_C(s), m_X(s)), halved when X == Y.

    Raises
    ------
    ValueError
        If X + Y is not C.
    """
    if tuple(sorted(tuple(x) + tuple(y))) != tuple(c):
        raise ValueError(f"{x} + {y} is not {c}")
    n = math.prod(math.comb(c.count(s), x.count(s)) for s in set(x))
    return n / 2 if x == y else float(n)


def exchange_factor(c: Complex, donor: tuple[int, int], acceptor: tuple[int, int]) -> float:
    """Ordered pairs of distinct positions of C with types (donor, acceptor)."""
    md = c.count(donor)
    if donor == acceptor:
        return float(md * (md - 1))
    return float(md * c.count(acceptor))


def count_multisets(n_types: int, k: int) -> int:
    """Multisets of size k from n types: C(n + k - 1, k)."""
    return math.comb(n_types + k - 1, k) if n_types > 0 else int(k == 0)
