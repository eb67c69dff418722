"""Causal discovery for CAMA: learn the graph around a categorical target from data.

One public entry point, :func:`discover_graph`, wraps the algorithms of `causal-learn
<https://github.com/py-why/causal-learn>`_ behind string options and always returns a
:class:`networkx.DiGraph` whose node names are the data's column names plus the target.
:func:`resolve_graph_spec` turns any accepted ``graph=`` value of
:class:`~skcama.CAMAClassifier` (a graph, a dict, a file path or a method name) into that
graph.

Why a custom conditional-independence test
------------------------------------------
The target of a classifier is categorical and the mechanisms of tabular data are often
nonlinear. causal-learn's Fisher-z test on an integer-coded label measures a *linear* trend
in arbitrary class codes and misses children whose class means are not ordered like the
codes; kernel tests (KCI) handle both problems but take minutes on a few hundred rows. The
tests here encode the target (and any categorical column) as one *block* of
class-indicator columns and test ``X _||_ Y | S`` with the likelihood-ratio
statistic of a linear-Gaussian model between blocks (Bartlett's approximation to Wilks'
lambda: ``-(n - |S| - (p + q + 3) / 2) log Lambda ~ chi2(p q)``). With one column per block it
is the partial-correlation test behind Fisher-z; with the target's ``K - 1`` indicators it
tests every difference of class means at once. ``"block-lrt-basis"`` also residualises on
a cubic and tanh basis of the conditioning columns, which removes nonlinear confounding.
``"block-lrt-nonlinear"`` (the default) also tests the two columns in that basis and
combines the two p-values (twice the smaller one, a Bonferroni bound): the basis test
detects a nonlinear mechanism ``x = f(c) + noise`` whose linear trend is weak, the linear
one keeps full power on linear trends. With a linear test such edges between co-parents
and children go missing, and CAMA's mechanism of that child then cannot use its parent.
The measured comparison is in ``benchmarks/RESULTS.md`` (sections ``graphs_sem`` and
``graphs_sem-acceptance``).

When the target is among the conditioning nodes, the two basis tests also condition on the
products of its indicators with the other conditioning columns and their basis. A child
``x = f(y) + g(c) + noise`` has a product of ``y`` and ``c`` in ``E[x^2 | y, c]``:
regressed on ``y`` and on ``c`` separately, the squares of two such children stay
correlated, and the test joined children that are independent given the label (on the
small nonlinear SEM of the test suite, 1,000 rows: in 20 of 20 samples, p about 1e-121;
skeleton precision 0.79, and 0.94 with the products, at the same recall). The products
are columns of the table the tests read: ``K - 1`` for each of the four basis columns of a
numeric column (``K`` classes), so its memory grows with rows x columns x classes (about
40 MB more for 40 numeric columns, 4 classes and 10,000 rows; ten classes and 100,000
rows of 100 columns would need about 3 GB). Use ``test="block-lrt"`` on such tables.

Colliders (v-structures) are oriented with the definiteMaxP rule, which orients only
colliders the tests support unambiguously (on a weak path ``a -> y -> x`` the
default rule often reads ``a -> y <- x`` and turns a child into a parent), on conditioning
sets no larger than the skeleton search needed: causal-learn's own implementation tries
every subset of the neighbours, which takes minutes on 40 columns. PC orients a collider
at the target, ``x -> target <- z``, only where ``x`` and ``z`` are also independent given
nothing, as two causes of the label are unless something else joins them. Children of the
label are dependent through it; two that share more than the label (a hidden cause) were
otherwise read as its causes wherever a set of other measurements separated them: on a
40-node SEM of ``benchmarks/graphs_sem.py`` (10,000 rows) two children became causes of
the label and ten more became co-parents (role recall 0.47 instead of 1.0). The price is
paid by two causes of the label that something else joins (``x -> m -> z`` besides
``x -> y <- z``): their collider is not oriented, they are read as children of the
label, and the edges around ``m`` may admit no orientation without a new v-structure (a
warning names them). Losing a child costs CAMA far more than reading a parent as a child
(on the ten 20-node SEMs of the acceptance run, every parent read as a child cost 0.6
points on clean rows and 1.0 with the co-parents shifted); a
rule that also accepted a separation given nodes the label does not touch found such
colliders, but read children as parents where one child was separated from another by a
grandchild of the label, so it was not kept.

A node ``w`` that the tests find independent of the target given nothing shares no trek
with it (no path open given nothing) under faithfulness, so an edge ``x -> w`` from a node
``x`` that depends on the target cannot be: it would join ``w`` to the target. Where ``w``
also depends on the target given ``x``, which makes ``x`` their common effect, PC orients
``w -> x``, overriding a collider at ``w`` found on larger sets; where ``x`` is adjacent
to the target this is PC's own collider rule on the triple ``w - x - target`` with the
empty separating set. Once ``w -> x`` holds (by this rule or a collider at ``x``), ``x ->
target`` would make ``w`` a cause of the target, so an undirected edge between them points
at ``x``. The dependence is also required given ``x`` and ``w``'s other neighbours that
are independent of the target (one at a time where all of them would exceed the
conditioning sets' limit): an outside cause ``o -> c -> x`` of a co-parent whose edge to
the co-parent's child the skeleton kept shows dependence given ``x`` alone, and would
become a co-parent. An edge is left as it is where the orientation would close a cycle,
where background knowledge decides it, and where ``x`` is a cause of the target found by a
collider at it.

definiteMaxP rejects such a collider wherever some larger set holding ``x`` gives a
p-value above the level, and with the children's hidden causes one often does: on seed 8
of the 20-node SEMs a co-parent of five children (independent of the target given nothing;
given one of its children, p between 1e-7 and 1e-93) came out as an effect of children,
outside the blanket, and CAMA on that graph was 15 points less accurate than on the true
graph with the co-parents shifted. Measured on the 20-node SEMs at 5,000 rows, seeds 3-29
(the benchmark's seeds 0-2 keep their graphs): the rule changed the graph of 12 of the 27,
where CAMA (three fits of each) scored 0.793 -> 0.807 on clean rows and 0.733 -> 0.761
with the co-parents shifted by 2 sds (true graph 0.824 and 0.796; 10 seeds gained, up to
12.7 points, 2 lost 0.5 and 1.0). Role recovery against the true graph (seeds 0-19; ``/``
separates before and after): at 2,000 rows, parent precision 0.85 / 1.0 and co-parent
recall 0.975 / 1.0 at 10 nodes, co-parent recall 0.91 / 0.96 and precision 0.76 / 0.79 at
20 nodes, and at 40 nodes (seeds 0-3) co-parent recall 0.75 / 0.88 and precision 0.50 /
0.55; at 5,000 and 10,000 rows the roles came out the same or a little better (edge
precision 0.666 / 0.656 at 20 nodes and 10,000 rows).

Independence of the target given nothing is read at ``alpha``, not at ``target_alpha``,
the level at which PC keeps edges at the target (0.01 and 0.05 by default); a node
adjacent to the target counts as dependent on it. At 0.05, a co-parent whose p-value
against the label was 0.032 counted as dependent on it (seed 9 of the 20-node SEMs, 5,000
rows), so two of its children stayed its causes, as a collider found on larger sets had
made them, and CAMA on that graph was 8.1 points less accurate than on the true graph
with the co-parents shifted by 2 sds (1.3 after the change). The measurements above
(seeds 3-29) predate the change. In one-off runs it altered 11 of 200 graphs outside the
benchmark's acceptance part (10 nodes at 2,000 and 5,000 rows and 20 nodes at 2,000 and
10,000 rows, seeds 0-39; 20 nodes at 5,000 rows, seeds 10-39; 40 nodes at 2,000 rows,
seeds 0-9). On those 11, CAMA (three fits of each) gained 1.1 points on clean rows
(standard error 0.7) and 0.7 with the co-parents shifted (standard error 0.8, median
-0.1): a small, mixed effect. With the co-parents shifted, 5 graphs gained (up to 7.3
points) and 6 lost (up to 3.2 points). The largest loss came from a grandchild of the
label, with a p-value between the two levels, that was read as a cause of two children.
Reading the test given ``x`` at ``alpha`` too left true colliders unfound (on seed 18 of
the 20-node SEMs at 5,000 rows a co-parent lost two of its children: one edge gone, one
turned round), so that test stays at the target's level. On the bundled dyspnea table
(``load_dyspnea``, complete rows), ``fev1_fvc`` and ``mmrc``, two findings the diagnosis
causes, had been read as its causes, with no background knowledge and with the tiers
``[["age", "female"], ["diagnosis"]]``; they now come out as its children. Between the
two levels the skeleton removed the edge from the node to the target at a larger depth,
given some set; where that set holds ``x``, ``x`` is no collider between them and the
rule leaves the pair alone. Without that check the change of level read a weakly
dependent grandchild as a cause of two children: on a constructed case (``y -> x1 -> w
<- x2 <- y``, ``w = x1 - 0.68 x2`` plus noise, 2,000 rows, 60 draws) ``w`` came out a
cause of both children in 47 draws, against 30 before the change and 30 with the check
(the other draws read it as their effect, as it is). The 240 graphs above came out the
same with the check. The rule runs in passes until nothing changes: in one pass, an
arrow into an independent node that a later node's turn reverses could block an earlier
pair by the cycle check, so the graph depended on the order of the columns. The passes
changed 10 of the 240 graphs (co-parents' edges to their children turned the right way
round in most), two of them among the acceptance seeds (seeds 6 and 8: the gap with the
co-parents shifted fell from 4.2 to 2.6 and from 2.7 to 1.8 points); on the other 8,
CAMA (three fits of each) gained 0.9 points on clean rows and 0.7 with the co-parents
shifted (standard error 0.9; from -2.0 to +5.7).

The level at the target: ``target_alpha``
------------------------------------------
PC removes an edge as soon as one conditioning set gives a p-value above the level, and it
tries many sets on each edge, so a child that depends on the label only moderately loses
its edge to one of them. On seed 13 of the 20-node SEMs of ``benchmarks/graphs_sem.py``
(5,000 rows) the edges from the label to three children were cut at p = 0.014, 0.022 and
0.18, given two to four other measurements (at 0.05 the first two stay), and CAMA on that
graph was 15.7 points less accurate than on the true graph with the co-parents shifted.
The two errors do not cost the same: a lost child or parent takes away a mechanism CAMA
relies on, while a spurious neighbour of the label adds a column the model can learn to
ignore. So every test between the target and another node is read at ``target_alpha``
(default: the larger of ``alpha`` and 0.05), the rest at ``alpha``: the tests that decide
a collider at the target (two other nodes, given sets with the target) keep ``alpha``,
and so does PC's judgement that a node is independent of the target given nothing (the
rule for such nodes, above), which is no question of keeping an edge.
The default was chosen on SEMs the benchmark does not use (seeds 20-29), and then
measured on its own seeds:

- roles found (precision / recall, 20 nodes, 5,000 rows, seeds 20-29): 0.885 / 0.880 at
  0.01, 0.901 / 0.900 at 0.05 (0.1 gave the same); children recall 0.938 -> 0.962;
  blanket precision 0.988 at both;
- 40 nodes, 2,000 rows (seeds 0-4 and 20-22): roles 0.648 / 0.588 -> 0.707 / 0.679,
  children recall 0.52 -> 0.62, 12.5 s instead of 8.9 s; 20 nodes, 2,000 rows:
  0.846 / 0.808 -> 0.864 / 0.833; 10 nodes: the same or better. The benchmark's own
  table (``python benchmarks/graphs_sem.py --part all``, seeds 0-2) had 40 nodes at
  2,000 rows at 0.74 / 0.72 (0.63 / 0.57 before) in 11.6 s (7.8 s before), and 40 nodes
  at 10,000 rows unchanged at 0.95 / 0.97 (since discovery reads the columns sorted by
  name: 0.73 / 0.68, seed 2 finding 70% of the blanket instead of 90%, and 0.95 / 0.97;
  with today's default test 0.77 / 0.73 in 8.8 s and 0.95 / 0.97);
- CAMA, discovered - true graph (five fits of each; clean, co-parents shifted by +2):
  seeds 20-27 (three fits) -1.7 and -3.0 points at 0.01, -1.3 and -2.3 at 0.05; the
  benchmark's seeds 0-2 -1.4 and -4.0 against -1.0 and -3.4; seeds 10-14 -3.0 and -6.4
  against -2.4 and -5.6 (seed 13: -15.7 against -13.9). These are with the test of that
  time; with today's default test the benchmark's seeds 0-9 give -0.4 and -1.6 (section
  ``graphs_sem-acceptance`` of ``benchmarks/RESULTS.md``).

Edges at the target that the neighbours contradict
--------------------------------------------------
With hidden causes of the children, a set of other children can separate a child from
the target: each of them is a collider between the target and the hidden cause (``y ->
x1 <- L -> x4``), so conditioning on it opens a path that can cancel the edge ``y ->
x4`` in the test. On seed 13 of the 20-node SEMs of ``benchmarks/graphs_sem.py`` (5,000
rows) PC separated the child ``x4`` from the label given ``o2`` and the children ``x1``
and ``x5`` (p = 0.067). Given those and ``x4``'s neighbours that are independent of the
label (its co-parents ``c1`` and ``c3``, which explain part of it) it depends on the
label at p = 2e-30. So, after the skeleton, PC tests once more every node that depends
on the target given nothing (its own p-value at ``alpha``, as in the rule above; under
faithfulness no other node can be adjacent to it) but lost its edge to it: each set that
separated the pair (the subsets of the nodes PC recorded for it that separate it),
joined by the node's neighbours that are independent of the target given nothing. Such
neighbours share no path with the target given nothing, so adding them seldom opens one
where the two are truly apart. Where every such set finds dependence, at
``target_alpha``, the edge comes back. Every separating set counts, not the recorded
one: PC-stable records the union of the sets that separated a pair at one depth, and
that union can hold a common effect whose path only cancelled another (``x -> c <- a ->
target`` beside ``x <- L -> target``, separated given ``L`` and, by the cancellation,
given ``c``; a reviewer's case, in which a first version of the check, given the union
and the neighbours, joined ``x`` to the target in 2 of 3 samples). The check was
designed on seeds 10-39 of the 20-node SEMs (5,000 rows; the acceptance seeds 0-9 were
not looked at): of the 18 children that PC had cut off there and that depend on the
label given nothing, 14 came back (p between 1e-58 and 0.049; the other four at 0.054 to
1.0), and none of the 54 such nodes apart from the label did. Measured (one-off runs,
before against after; the CAMA figures with ``graphs_sem.py``):

- roles found, precision / recall: 20 nodes, 5,000 rows, seeds 0-39: 0.884 / 0.892 ->
  0.906 / 0.920 (children recall 0.925 -> 0.975, co-parent precision 0.859 -> 0.915);
  2,000 rows, seeds 0-29: 0.818 / 0.804 -> 0.869 / 0.878 (children recall 0.817 ->
  0.938); 40 nodes, 2,000 rows, seeds 0-9: 0.72 / 0.69 -> 0.83 / 0.84 (children recall
  0.61 -> 0.86); 10 nodes, 2,000 rows, seeds 0-39: 0.784 / 0.781 -> 0.787 / 0.784;
- CAMA, discovered - true graph (five fits of each; clean, co-parents shifted by +2):
  the acceptance seeds 0-9 -0.6 and -2.0 -> -0.4 and -1.6 points (section
  ``graphs_sem-acceptance``); seeds 10-19, among those the check was designed on, -1.8 and -4.7 ->
  -1.5 and -3.8 (standard errors 0.4 and 0.9; seed 13 still loses 9.1 points there: its
  co-parent ``c1`` lost its edges to two children);
- time: the collider step judges the triples at the target's new neighbours, on subsets
  of its larger neighbourhood: at 40 nodes and 2,000 rows discovery took 20.5 s instead
  of 12.8 s (seeds 0-9, the two versions run at once on 2 cores), and at 10,000 rows 64 s
  instead of 43 s (seeds 0-2, section ``graphs_sem`` against its run of the morning); at
  20 nodes and 5,000 rows the acceptance run's mean was 0.91 s against 0.86 s.

It can be wrong: where a neighbour of the node that is independent of the target shares
a hidden cause with the node and a cause with a node of the separating set (``t -> m <-
u -> f <- L -> x``, ``m -> x``; a second reviewer's case), given both the path through
them opens and the edge comes back, in 9 of 10 samples of 5,000 rows of that case. It
tries the separating subsets of at most ``max_condition_size`` nodes of the recorded
union (the skeleton's sets are no larger) and stops at the first that still separates
the pair; graphs were the same as with every subset on the acceptance seeds 0-9, seeds
10-19 and three 40-node SEMs.

The same check between two other nodes does not work: on seeds 20-24 a first version of
it (given the recorded set and the neighbours) would have put back 32 edges that are not
in the true graphs and none that are (children that share a hidden cause stay dependent
given their neighbours), so PC makes it at the target only. Nor does it work between a
node independent of the target and a node adjacent to it (a co-parent and a child, where
a lost edge costs CAMA most with the co-parents shifted): on seeds 10-39 it would have
put back 4 true edges and 64 false ones, and keeping such an edge wherever every set
that separated the pair gave a p-value of at most ``target_alpha`` 3 true and 49 false.

Two more changes were measured on these SEMs (20 nodes, 5,000 rows, one-off runs) and
not kept:

- a weaker collider rule at the target, which also accepted ``x -> target <- z`` where
  the target alone joins ``x`` and ``z`` (at ``target_alpha``) and the set with the
  largest p-value does not hold it. It found more of the label's parents: 53 of 60
  instead of 40 on seeds 20-39 (one child read as a parent), 24 of 30 instead of 18 on
  seeds 10-19 (none); CAMA on the five graphs of seeds 0-19 that it changed gained 0.4
  points on clean rows and 0.1 with the co-parents shifted (three fits each). At 40
  nodes and 2,000 rows (seeds 0-7) it read 11 children as parents (none before), and
  the children found fell from 87% to 78%;
- dropping an edge between two neighbours of the target where colliders point into it
  from both sides (FCI's sign of a shared hidden cause, which CAMA's latent causes stand
  for). On seeds 0-19 such edges were 55 of the 189 false edges between children and 16
  of the 92 true ones; on seeds 10-19 CAMA with the discovered graph lost 4.7 points
  against the true graph with the co-parents shifted instead of 3.9 (1.7 and 1.6 on
  clean rows; three fits each).

Skewed measurements: ``normal_scores=True``
--------------------------------------------
The tests read numeric columns as they are, and their cubic basis is at its worst on
skewed or heavy-tailed columns: a log-normal column that depends on the target only
through the target's parent was found dependent on the target given that parent in 39 of
200 samples of 1,000 rows at the level 0.01 (``target_alpha=0.01``; 67 at the default
0.05, where 10 would be nominal). With ``normal_scores=True`` every numeric column is
replaced by its normal scores, the standard normal quantiles of its ranks. Conditional
independence does not change under a strictly increasing transform of a column, so
neither does the graph (a laboratory value on a log scale is discovered as on its own
scale), and the same case gave 10 false edges in 200 samples (23 at 0.05). On the
20-node SEMs of ``benchmarks/graphs_sem.py`` with every column replaced by a log-normal-like
``exp(z)``, raw values lost 0.13 of role precision and 0.05 of role recall (10 SEMs, 5,000
rows), while normal scores gave the graphs of the untransformed data; GES lost 0.15 and
0.10 on raw values (section ``graphs_sem-scale`` of ``benchmarks/RESULTS.md``, from
``python benchmarks/graphs_sem.py --part scale --seeds 0 1 2 3 4 10 11 12 13 14``).

It is not the default because on those SEMs in their own scale (noise close to Gaussian,
curved mechanisms) PC found the roles about as well (precision 0.881 against 0.891, recall
0.907 against 0.893; GES 0.67 against 0.70 and 0.80 against 0.83) but its graphs cost
CAMA more accuracy: against the true graph, 2.3 points on clean rows and 5.6 with the
co-parents shifted (seeds 0-2, five fits each; raw values 1.3 and 2.2), and 3.3 and 5.8
on seeds 10-14 (raw values 3.0 and 6.4), measured before the basis tests conditioned on
the products of the target's indicators and before ``target_alpha`` (raw values with
today's default test: 0.6 and 1.8; normal scores were not measured again since). It
loses some edges from co-parents to children whose curved mechanisms the basis fits
better on the raw scale.

Orienting what discovery leaves open
------------------------------------
PC and GES return a CPDAG and FCI a PAG: some edges stay undirected (or carry circle marks)
because the data cannot orient them. CAMA needs a DAG, so :func:`discover_graph` picks one
member of the equivalence class with these rules, in order:

1. *Undirected edges at the target point away from it* (``target -> node``): the target is
   made a source of its undirected component. Every chordal component has a consistent
   extension in which any chosen node is a source, so this creates no new v-structure —
   the result stays Markov equivalent to what the data support — and it models such a
   node as a measurement caused by the label (a child), the role in which CAMA is robust
   to manipulation of that node. Where the marks already hold a directed path from the
   node to the target (``c -> d -> e -> target`` beside ``c - target``, which Meek's
   rules leave open beyond two steps), the edge points at the target instead: away from
   it, it would close a cycle, whose breaking removed an edge the data had oriented.
2. Bidirected edges (``<->``, a latent common cause in a PAG, or a conflict between
   v-structures in PC) that touch the target become ``target -> node`` for the same reason.
   Between a child of the target (after rule 1) and another node, a bidirected edge points
   into the child: the other node becomes a co-parent, as CAMA's latent causes ``z``
   (causes of the children only, independent of the co-parents) cannot carry that
   dependence. Between two children (``z`` models their shared hidden causes) or two
   other nodes (which CAMA conditions on) it is dropped. Dropping every bidirected edge
   away from the target, as earlier versions did, cut FCI's true edges from co-parents to
   children: on six 20-node SEMs of ``benchmarks/graphs_sem.py`` (seeds 20-25, 5,000 rows,
   three fits each) CAMA on FCI's graphs scored 0.756 on clean rows and 0.702 with the
   co-parents shifted by 2 sds, and 0.788 and 0.737 with this rule (true graph 0.808 and
   0.788; PC's graphs, the same under both rules there, 0.800 and 0.775).
3. Circle marks of a PAG are read as in a CPDAG: ``o->`` as ``->`` and ``o-o`` as undirected.
4. Every other undirected edge is oriented by a consistent extension of the partially
   directed graph (Dor and Tarsi, 1992), so no new v-structure or cycle appears; ties
   follow the column names in sorted order. Discovery reads the columns in that order
   throughout, so the graph does not depend on the order of the columns in ``X``.
5. Background knowledge is enforced on the result: required edges present in the
   required direction; a forbidden edge ``u -> v`` never in the graph, which keeps the
   adjacency as ``v -> u`` unless that is forbidden too (forbid both directions to say two
   columns are not adjacent, as causal-learn's background knowledge reads them).
6. A cycle left by the steps above (causal-learn's own marks can hold one, and so can a
   forbidden edge turned round) is broken by removing one of its edges, preferring an
   edge that does not touch the target, with a warning naming it.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import itertools
import logging
import numbers
import sys
import threading
import time
import warnings
import zlib
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from causallearn.graph.GraphNode import GraphNode
from causallearn.utils.cit import CIT_Base, register_ci_test
from causallearn.utils.PCUtils.BackgroundKnowledge import BackgroundKnowledge
from scipy.special import chdtrc, ndtri
from scipy.stats import rankdata
from sklearn.utils.multiclass import type_of_target

from ._columns import (
    _distinct_in_every_row,
    _numbers_kind,
    _plain,
    _show,
    _text_as_numbers,
    check_fit_labels,
    check_label_not_a_column,
    check_measurement_dtype,
    check_one_label_per_row,
    check_sample_weight,
    check_unique_columns,
    comma_advice,
    infer_kind,
    is_real_number,
    mark_example,
    text_then_type,
    warn_if_misaligned,
    warn_numbers_as_text,
)
from ._frames import reads_tables
from ._typing import GraphLike, MatrixLike, VectorLike
from ._warn import interactive, warn_user
from ._warn import report as _report
from .graph import (
    DISCOVERY_METHODS,
    DISCOVERY_PARAMS,
    DISCOVERY_TESTS,
    GraphError,
    _unicode_twin_hint,
    _unnamed_target,
    all_children_graph,
    check_discovery_params,
    did_you_mean,
    is_discovery_method,
    resolve_given_graph,
)

__all__ = [
    "DISCOVERY_PARAMS",
    "METHODS",
    "TESTS",
    "check_discovery_params",
    "discover_graph",
    "resolve_graph_spec",
]

logger = logging.getLogger(__name__)

METHODS = DISCOVERY_METHODS
"""Discovery algorithms :func:`discover_graph` accepts (``method=``)."""

TESTS = DISCOVERY_TESTS
"""Conditional-independence tests for ``method="pc"`` and ``"fci"`` (``test=``)."""

_LRT_NAME = "skcama-block-lrt"
_TARGET_ALPHA = 0.05  # the level of the target's tests unless alpha is higher
_TAIL, _ARROW, _CIRCLE = -1, 1, 2


# --------------------------------------------------------------------------- the CI test
class _BlockLRT(CIT_Base):
    """Linear-Gaussian likelihood-ratio test between blocks of columns.

    causal-learn hands it one column per node (``data``); the columns it actually tests are
    in ``expanded`` with ``blocks[i]`` the expanded columns of node ``i`` (several for a
    categorical node). With ``basis`` the conditioning columns include ``conditioning[i]``,
    a nonlinear basis of node ``i``.
    """

    def __init__(
        self,
        data: np.ndarray,
        expanded: np.ndarray | None = None,
        blocks: Sequence[np.ndarray] | None = None,
        conditioning: Sequence[np.ndarray] | None = None,
        tested: Sequence[np.ndarray] | None = None,
        weights: np.ndarray | None = None,
        interactions: Sequence[np.ndarray] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.check_cache_method_consistent(
            _LRT_NAME,
            f"{conditioning is not None}-{tested is not None}-{weights is not None}-"
            f"{interactions is not None}",
        )
        self.interactions = interactions
        self.target_node = data.shape[1] - 1
        if expanded is None or blocks is None:  # plain use: one column per node
            expanded = data
            blocks = [np.array([i]) for i in range(data.shape[1])]
        self.blocks = [np.asarray(b) for b in blocks]
        self.conditioning = (
            self.blocks if conditioning is None else [np.asarray(c) for c in conditioning]
        )
        self.tested = self.blocks if tested is None else [np.asarray(t) for t in tested]
        self.weights = weights
        if weights is None:
            self.corr = np.atleast_2d(np.corrcoef(expanded, rowvar=False))
        else:  # weighted moments; the rows are kept for the robust test
            self.weights = weights / weights.mean()
            self.centred = expanded - self.weights @ expanded / len(expanded)
            self.corr = np.atleast_2d(np.cov(expanded, rowvar=False, aweights=weights))

    def __call__(self, X, Y, condition_set=None) -> float:
        xs, ys, cond, key = self.get_formatted_XYZ_and_cachekey(X, Y, condition_set)
        if key in self.pvalue_cache:
            return self.pvalue_cache[key]
        a, b = self.blocks[xs[0]], self.blocks[ys[0]]
        s = np.concatenate([self.conditioning[i] for i in cond]) if cond else np.zeros(0, dtype=int)
        if self.interactions is not None and self.target_node in cond:
            s = np.concatenate([s, *(self.interactions[i] for i in cond)])
        wide_a, wide_b = self.tested[xs[0]], self.tested[ys[0]]
        n = self.sample_size
        if self.weights is not None:
            p_value = self._weighted_pvalue(a, b, s)
            if len(wide_a) != len(a) or len(wide_b) != len(b):  # as below, Bonferroni
                p_value = min(1.0, 2.0 * min(p_value, self._weighted_pvalue(wide_a, wide_b, s)))
        elif len(wide_a) == len(a) and len(wide_b) == len(b):
            p_value = _block_lrt_pvalue(self.corr, a, b, s, n)
        else:
            # the linear test and the test in the basis, Bonferroni-combined: the first
            # keeps its power on linear trends, the second sees nonlinear mechanisms. A
            # node's block is the leading part of its basis, so one residualisation
            # serves both.
            cov = _residual_cov(self.corr, np.concatenate([wide_a, wide_b]), s)
            plain = np.concatenate([np.arange(len(a)), len(wide_a) + np.arange(len(b))])
            p_plain = _lrt_from_cov(cov[plain][:, plain], len(a), len(s), n)
            p_wide = _lrt_from_cov(cov, len(wide_a), len(s), n)
            p_value = min(1.0, 2.0 * min(p_plain, p_wide))
        self.pvalue_cache[key] = p_value
        return p_value

    def _weighted_pvalue(self, a: np.ndarray, b: np.ndarray, s: np.ndarray) -> float:
        """Weighted test of ``a _||_ b | s``: both blocks are regressed on ``s`` by weighted
        least squares, and the weighted sum of the products of their residuals is tested
        against zero with its robust (sandwich) variance, chi2 with ``|a| |b|`` degrees of
        freedom (a weighted generalised covariance measure). The likelihood-ratio
        statistic with Kish's effective number of rows is not valid here: where the
        weights depend on the columns (inverse-probability weights), it rejected a true
        independence far more often than ``alpha``."""
        columns = np.concatenate([a, b])
        residual = self.centred[:, columns]
        if len(s):
            css = self.corr[np.ix_(s, s)]
            css.flat[:: len(s) + 1] += 1e-8
            coef = np.linalg.solve(css, self.corr[np.ix_(s, columns)])
            residual = residual - self.centred[:, s] @ coef
        ra, rb = residual[:, : len(a)], residual[:, len(a) :]
        score = (ra[:, :, None] * rb[:, None, :]).reshape(len(residual), -1)
        score *= self.weights[:, None]
        total = score.sum(axis=0)
        variance = score.T @ score
        variance.flat[:: len(total) + 1] += 1e-12 * max(float(np.trace(variance)), 1e-300)
        statistic = float(total @ np.linalg.solve(variance, total))
        return float(chdtrc(len(total), max(statistic, 0.0)))


register_ci_test(_LRT_NAME, _BlockLRT)


class _TargetLevel(CIT_Base):
    """A causal-learn test (``inner``), judged at another level where the target is tested.

    A p-value of a test between a target column and another node is multiplied by
    ``factor`` (``alpha / target_alpha``), so PC and FCI, which compare every p-value with
    ``alpha``, remove an edge at the target only where the test's own p-value exceeds
    ``target_alpha``, and judge the triples with the target at one end at that level too.
    Tests between two other nodes, whatever they condition on, are unchanged.
    """

    def __init__(
        self,
        data: np.ndarray,
        inner: str = _LRT_NAME,
        targets: Sequence[int] = (),
        factor: float = 1.0,
        **kwargs: Any,
    ) -> None:
        from causallearn.utils.cit import CIT

        super().__init__(data)
        self.inner = CIT(data, inner, **kwargs)
        self.method = self.inner.method
        self.targets = frozenset(int(t) for t in targets)
        self.factor = float(factor)

    def __call__(self, X, Y, condition_set=None) -> float:
        p_value = self.inner(X, Y, condition_set)
        if _touches(X, self.targets) or _touches(Y, self.targets):
            p_value = min(1.0, p_value * self.factor)
        return p_value


def _touches(node: Any, targets: frozenset) -> bool:
    """Whether ``node`` (an index, or a collection of them) is one of ``targets``."""
    if isinstance(node, numbers.Integral):
        return int(node) in targets
    return any(int(n) in targets for n in node)


_TARGET_LEVEL_NAME = "skcama-target-level"
register_ci_test(_TARGET_LEVEL_NAME, _TargetLevel)


def _block_lrt_pvalue(corr: np.ndarray, a: np.ndarray, b: np.ndarray, s: np.ndarray, n: int):
    return _lrt_from_cov(_residual_cov(corr, np.concatenate([a, b]), s), len(a), len(s), n)


def _residual_cov(corr: np.ndarray, columns: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Covariance of ``columns`` after regressing out the columns ``s``."""
    cov = corr[np.ix_(columns, columns)]
    if len(s):
        css = corr[np.ix_(s, s)]
        css.flat[:: len(s) + 1] += 1e-8
        cross = corr[np.ix_(columns, s)]
        cov = cov - cross @ np.linalg.solve(css, cross.T)
    cov.flat[:: len(columns) + 1] += 1e-10
    return cov


def _lrt_from_cov(cov: np.ndarray, p: int, n_s: int, n: int) -> float:
    """p-value of independence of the first ``p`` columns of ``cov`` and the others."""
    # Called hundreds of thousands of times on large graphs: scalar special functions and
    # closed forms for 1 x 1 blocks instead of scipy.stats' vectorised machinery.
    q = cov.shape[0] - p
    if p == 1 and q == 1:  # a partial correlation
        log_lambda = np.log1p(-min(cov[0, 1] ** 2 / (cov[0, 0] * cov[1, 1]), 1.0 - 1e-16))
    else:
        log_lambda = min(_logdet(cov) - _logdet(cov[:p, :p]) - _logdet(cov[p:, p:]), 0.0)
    dof = max(n - n_s - (p + q + 3) / 2.0, 1.0)
    return float(chdtrc(p * q, -dof * log_lambda))


def _logdet(matrix: np.ndarray) -> float:
    if matrix.shape[0] == 1:
        return float(np.log(max(matrix[0, 0], 1e-300)))
    return float(np.linalg.slogdet(matrix)[1])


# ------------------------------------------------------------------------ data encoding
@dataclass
class _Encoded:
    """The data as causal-learn sees it plus the expanded blocks of our test."""

    names: list  # node names, target last
    data: np.ndarray  # one column per node (categorical nodes as integer codes)
    expanded: np.ndarray  # standardised expanded columns
    blocks: list  # expanded column indices per node
    conditioning: list  # expanded column indices used when a node is conditioned on
    categorical: list  # bool per node
    # per node, the expanded columns of the products of its conditioning columns with the
    # target's indicators, used with it when the target is conditioned on too (or None)
    interactions: list | None = None


def _is_categorical(column: pd.Series) -> bool:
    if column.dtype == object:
        # as CAMAClassifier reads it (skcama._columns.infer_kind): an object column whose
        # values are all numbers is the numeric column it would have been
        observed = column.dropna()
        return not (len(observed) and all(map(is_real_number, observed)))
    return (
        isinstance(column.dtype, pd.CategoricalDtype)
        or column.dtype == bool
        or pd.api.types.is_string_dtype(column.dtype)
    )


def _is_constant(column: pd.Series) -> bool:
    """One value in every row (one level for a categorical column, as :func:`_encode`
    reads its levels)."""
    if _is_categorical(column):
        return len(np.unique(column.astype(str).to_numpy())) <= 1
    values = column.to_numpy(dtype=float)
    return bool((values == values[0]).all())


def _normal_scores(values: np.ndarray) -> np.ndarray:
    """Normal scores of ``values`` (of each column of a 2-d array): the standard normal
    quantiles of their mid-ranks.

    Conditional independence is unchanged by a strictly increasing transform of any
    column, so the tests may read each numeric column through its normal scores: every
    monotone rescaling of a column (a log scale, other units, a skewed laboratory value)
    then gives the same graph, and the basis ``z, z^2, z^3`` of a heavy-tailed column has
    finite moments. Ties (a count, an ordinal score) share their average rank.
    """
    ranks = rankdata(values, axis=0)
    return ndtri((ranks - 0.5) / len(values))


def _encode(
    X: pd.DataFrame, y: np.ndarray, target: Hashable, basis: bool, normal_scores: bool = False
) -> _Encoded:
    # The target is kept apart from X's columns: assigned as a column of a frame with
    # MultiIndex columns it would become ``(target, "")``, which is not the target.
    names = [*X.columns, target]
    series = [X.iloc[:, j] for j in range(X.shape[1])] + [pd.Series(np.asarray(y))]
    codes, expanded, blocks, conditioning, categorical = [], [], [], [], []
    width = 0

    def add(columns: list[np.ndarray]) -> np.ndarray:
        nonlocal width
        idx = np.arange(width, width + len(columns))
        width += len(columns)
        expanded.extend(columns)
        return idx

    for i, column in enumerate(series):
        is_cat = i == len(names) - 1 or _is_categorical(column)
        categorical.append(is_cat)
        if is_cat:
            levels, code = np.unique(column.astype(str).to_numpy(), return_inverse=True)
            codes.append(code.astype(float))
            # K - 1 indicators (the most frequent class left out): the block of one node.
            counts = np.bincount(code, minlength=len(levels))
            kept = [k for k in range(len(levels)) if k != int(np.argmax(counts))]
            idx = add([(code == k).astype(float) for k in kept])
            blocks.append(idx)
            conditioning.append(idx)
            continue
        values = column.to_numpy(dtype=float)
        if normal_scores:
            values = _normal_scores(values)
        codes.append(values)
        z = (values - values.mean()) / (values.std() or 1.0)
        idx = add([z])
        blocks.append(idx)
        if basis:
            # a column of k values spans k - 1 functions: z and k - 2 more. A two-valued
            # one (a 0/1 flag) gets none: its z^3 is a line in z, and its z^2 a constant
            # when the two values are equally common, which made every test conditioning
            # on it NaN (read as independence) and emptied the graph.
            room = max(0, len(np.unique(values)) - 2)
            extra = add([f for f in (z**2, z**3, np.tanh(z)) if f.std() > 1e-9][:room])
            conditioning.append(np.concatenate([idx, extra]))
        else:
            conditioning.append(idx)
    interactions = None
    if basis:
        labels = [expanded[k] for k in blocks[-1]]
        interactions = [
            add([label * expanded[j] for label in labels for j in conditioning[i]])
            for i in range(len(names) - 1)
        ]
        interactions.append(np.zeros(0, dtype=int))
    data = np.column_stack(codes)
    matrix = np.column_stack(expanded)
    return _Encoded(names, data, matrix, blocks, conditioning, categorical, interactions)


# ------------------------------------------------------------------ background knowledge
_BACKGROUND_KEYS = ("required", "forbidden", "tiers")


def _check_background(background: Mapping | None, names: list) -> dict:
    if background is None:
        return {"required": [], "forbidden": [], "tiers": []}
    if not isinstance(background, Mapping):
        raise TypeError(
            "background must be a dict with keys 'required', 'forbidden' (lists of "
            "(source, target) pairs) and 'tiers' (a list of lists of nodes, causes first); "
            f"got {type(background).__name__}."
        )
    unknown = [k for k in background if k not in _BACKGROUND_KEYS]
    if unknown:
        close = did_you_mean(unknown[0], _BACKGROUND_KEYS)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"unknown background key {unknown[0]!r}; use {list(_BACKGROUND_KEYS)}.{hint}"
        )
    known = set(names)

    def check_node(node: Hashable, where: str, fix: str = "") -> None:
        try:
            hash(node)
        except TypeError:
            first = next(iter(node), None) if isinstance(node, (list, tuple)) else None
            example = f", e.g. {first!r} instead of {node!r}" if isinstance(first, str) else ""
            raise ValueError(
                f"background {where} names {node!r}, a {type(node).__name__}, which cannot be "
                "a node: nodes are the column names of X and the target's name (strings or "
                f"numbers). Write the name itself{example}{fix}."
            ) from None
        if node not in known:
            twin = _unicode_twin_hint(node, names, "the column")  # '1' for a column 1
            close = did_you_mean(node, names)
            hint = (f" {twin}" if twin else f" Did you mean {close[0]!r}?" if close else "")
            raise GraphError(
                f"background {where} names node {node!r}, which is neither a column of X nor "
                f"the target.{hint}"
            )

    out: dict = {"required": [], "forbidden": [], "tiers": []}
    for kind in ("required", "forbidden"):
        edges = background.get(kind, ())
        if isinstance(edges, (str, bytes, Mapping)) or not isinstance(edges, Iterable):
            raise ValueError(
                f"background[{kind!r}] must be a list of (source, target) pairs, e.g. "
                f"[('a1', 'x1')]; got the {type(edges).__name__} {edges!r}."
            )
        if isinstance(edges, pd.DataFrame):  # its rows, not its column names
            edges = edges.to_numpy()
        # the rows of an array of pairs as pairs (numpy's rows are no Sequence)
        edges = [e.tolist() if isinstance(e, np.ndarray) else e for e in edges]
        if len(edges) == 2 and all(isinstance(node, (str, bytes)) for node in edges):
            raise ValueError(
                f"background[{kind!r}] must be a list of (source, target) pairs; {edges!r} "
                f"looks like one pair: write [{tuple(edges)!r}]."
            )
        for edge in edges:
            if isinstance(edge, (str, bytes)) or not isinstance(edge, Sequence) or len(edge) != 2:
                raise ValueError(
                    f"background[{kind!r}] must hold (source, target) pairs, got {edge!r}."
                )
            check_node(edge[0], f"{kind} edge {tuple(edge)!r}")
            check_node(edge[1], f"{kind} edge {tuple(edge)!r}")
            if edge[0] == edge[1]:
                raise GraphError(
                    f"background[{kind!r}] holds the self-loop {edge[0]!r} -> {edge[1]!r}; "
                    "an edge joins two different nodes."
                )
            out[kind].append((edge[0], edge[1]))
    required = set(out["required"])
    both_ways = {(a, b) for a, b in required if (b, a) in required}
    if both_ways:
        a, b = sorted(both_ways, key=str)[0]
        raise GraphError(
            f"background requires both {a!r} -> {b!r} and {b!r} -> {a!r}, a cycle; keep the "
            "direction you know."
        )
    with contextlib.suppress(nx.NetworkXNoCycle):
        cycle = nx.find_cycle(nx.DiGraph(out["required"]))
        path = _cycle_path(cycle)
        raise GraphError(
            f"background requires the edges {path}, a cycle, which no DAG can hold; drop or "
            "reverse the edge you are least sure of."
        )
    clash = required & set(out["forbidden"])
    if clash:
        edge = sorted(clash, key=str)[0]
        raise GraphError(
            f"the edge {edge[0]!r} -> {edge[1]!r} is both required and forbidden in background; "
            "keep it in one list only."
        )
    tiers = background.get("tiers", ())
    if isinstance(tiers, (str, bytes, Mapping)) or not isinstance(tiers, Iterable):
        raise ValueError(
            "background['tiers'] must be a list of lists of node names, causes first, e.g. "
            f"[['a1', 'a2'], ['x1']]; got the {type(tiers).__name__} {tiers!r}. Put each tier's "
            "nodes in a list of their own, even a tier of one node."
        )
    rank: dict = {}
    for i, tier in enumerate(tiers):
        if isinstance(tier, (str, bytes)) or not isinstance(tier, Iterable):
            raise ValueError(
                f"background['tiers'] must be a list of lists of node names; the tier {tier!r} "
                f"is not a list. Write [{tier!r}] for a tier of one node."
            )
        members = list(tier)
        for node in members:
            check_node(node, f"tier {i} {members!r}", " (a tier is a flat list of node names)")
            if rank.get(node, i) != i:
                raise GraphError(
                    f"background['tiers'] puts {node!r} in tier {rank[node]} "
                    f"{out['tiers'][rank[node]]!r} and in tier {i} {members!r} (tiers count "
                    "from 0, causes first); a node belongs to one tier: keep it in the one "
                    "that is right."
                )
            rank[node] = i
        out["tiers"].append(members)
    against = [(a, b) for a, b in out["required"] if rank.get(a, -1) > rank.get(b, 10**9)]
    if against:
        a, b = against[0]
        raise GraphError(
            f"background requires {a!r} -> {b!r}, but the tiers put {a!r} after {b!r} "
            "(a later tier cannot cause an earlier one); fix the edge or the tiers."
        )
    return out


def _causallearn_background(background: dict, index: dict) -> BackgroundKnowledge | None:
    """causal-learn's form of the nodes of ``index`` (constant columns, left out of the
    search, are not: their background knowledge is enforced on the result)."""
    if not any(background.values()):
        return None
    knowledge = BackgroundKnowledge()
    for source, sink in background["required"]:
        if source in index and sink in index:
            knowledge.add_required_by_node(_cl_node(index[source]), _cl_node(index[sink]))
    for source, sink in background["forbidden"]:
        if source in index and sink in index:
            knowledge.add_forbidden_by_node(_cl_node(index[source]), _cl_node(index[sink]))
    for rank, tier in enumerate(background["tiers"]):
        for node in (node for node in tier if node in index):
            knowledge.add_node_to_tier(_cl_node(index[node]), rank)
    return knowledge


def _cl_node(i: int) -> GraphNode:
    return GraphNode(f"X{i + 1}")


def _forbidden_by_tiers(background: dict) -> set:
    rank = {node: r for r, tier in enumerate(background["tiers"]) for node in tier}
    return {(u, v) for u in rank for v in rank if rank[u] > rank[v]}


# ------------------------------------------------------------------------- public API
@reads_tables("X", "y", "sample_weight")
def discover_graph(
    X: MatrixLike,
    y: VectorLike | None = None,
    *,
    target: Hashable | None = None,
    method: str = "pc",
    test: str = "block-lrt-nonlinear",
    alpha: float = 0.01,
    target_alpha: float | None = None,
    background: Mapping | None = None,
    max_condition_size: int | None = 4,
    sample_weight: VectorLike | None = None,
    normal_scores: bool = False,
    random_state: int | np.random.RandomState | None = None,
    verbose: int = 0,
    progress: bool | None = None,
) -> nx.DiGraph:
    """Learn a causal DAG over the columns of ``X`` and a categorical target.

    Parameters
    ----------
    X : pandas.DataFrame or array-like of shape (n_samples, n_features)
        The features. Column names become node names (positions ``0..d-1`` for an array,
        tuples for MultiIndex columns). Columns of dtype string, category or bool, and
        object columns holding anything but numbers, are treated as categorical (an object
        column of numbers is numeric, as :class:`~skcama.CAMAClassifier` reads it).
        Constant columns are left out of the search and get no edges (with a
        warning). Rows must be complete: impute or drop missing values first.
    y : array-like of shape (n_samples,), optional
        Class labels. When ``None``, the target is the column ``target`` of ``X``.
    target : hashable, optional
        Node name of the target; default ``y.name`` when it is not a column of ``X``, else
        ``"y"`` (where a column of ``X`` is called ``y``, ``"target"``, then ``"y_0"``,
        ``"y_1"``, ..., as :class:`~skcama.CAMAClassifier` names them; a column ``y``
        holding the labels themselves is refused).
    method : {"pc", "fci", "ges"}, default="pc"
        ``"pc"``: constraint-based, assumes no hidden common causes (returns a CPDAG that is
        oriented as described in the module notes). ``"fci"``: constraint-based, allows
        hidden common causes (a PAG; slower). ``"ges"``: score-based greedy equivalence
        search with the linear-Gaussian BIC, the target entering as indicator nodes; it
        ignores ``test``, ``alpha``, ``target_alpha`` and ``max_condition_size`` (with a
        warning where they are given) and draws no progress bar, records ``alpha`` as
        None, and its search grows steeply with the columns
        (minutes beyond about 20; a warning says so).
    test : {"block-lrt", "block-lrt-basis", "block-lrt-nonlinear", "indicator-fisherz", \
"fisherz", "kci", "rcit"}, default="block-lrt-nonlinear"
        Conditional-independence test of ``"pc"`` and ``"fci"``. ``"block-lrt"`` tests the
        target as one block of class indicators; ``"block-lrt-basis"`` also conditions on a
        cubic/tanh basis of the conditioning columns; ``"block-lrt-nonlinear"`` (default,
        chosen by measurement, see ``benchmarks/graphs_sem.py``) tests the two columns
        both as they are and with their numeric columns expanded in that basis, and
        combines the two (Bonferroni); on 40 columns and 10,000 rows it took about 4 times
        as long as ``"block-lrt-basis"`` and recovered far more of the roles. Its test in
        the basis reads the chi-squared tail of a likelihood ratio of non-Gaussian
        columns (``z^3``), which it reaches slowly: two independent columns were judged
        dependent at ``alpha=0.01`` (given nothing, the target or a third column) in
        2.5-4% of 400 samples of 300 to 3,000 Gaussian rows, and in up to 5.25% with
        t(5) noise (the linear ``"block-lrt"``, given nothing: 0.75-1%). Given a column
        that the pair depends on, its residuals' spread varies with that column, which
        its chi-squared does not allow for: in a linear-Gaussian chain b -> w -> v it
        rejected b independent of v given w in 21.5% of 200 samples of 300 rows and
        29% of 600 (the linear test: 0.5% and 1.5%), so its graphs hold more edges than
        ``alpha`` promises;
        ``"indicator-fisherz"`` splits the target into indicator nodes merged after
        discovery (PC then runs without its rules at the target, which read the target
        as one node: the stricter collider check there, the check that puts back an edge
        at the target and the rule for nodes independent of it); ``"fisherz"``, ``"kci"``
        and ``"rcit"`` are causal-learn's tests on the integer-coded target (KCI is very
        slow beyond a few hundred rows).
    alpha : float, default=0.01
        Significance level of the tests. For ``"ges"`` it is unused.
    target_alpha : float or None, default=None
        Significance level of the tests between the target and another node (PC and FCI):
        an edge at the target is removed only where such a test's p-value exceeds it.
        PC's judgement that a node is independent of the target given nothing, which
        orients that node's edges, is made at ``alpha`` (see the module notes). ``None``
        takes the larger of ``alpha`` and 0.05; pass ``alpha`` for one level everywhere.
        A child or parent lost costs CAMA far more than a spurious neighbour kept, and PC
        tries many conditioning sets on each edge: on the 20-node SEMs of
        ``benchmarks/graphs_sem.py`` edges to true children were cut at p-values of 0.014
        and 0.022. See the module notes for the measured effect. For ``"ges"`` it is
        unused.
    background : dict, optional
        Background knowledge: ``{"required": [(u, v), ...], "forbidden": [(u, v), ...],
        "tiers": [[...], [...], ...]}`` with node names; a node in a later tier has no
        edge into a node in an earlier one, and a node belongs to at most one tier. Tiers
        (and required edges) constrain edges, not paths: a path through a node in no tier
        may still run from a later tier to an earlier one (``a1 -> y -> a2`` with tiers
        ``[["a2"], ["a1"]]``); put every node on such paths, the target included, in a
        tier to order them. A forbidden edge
        has a direction: ``(u, v)`` forbids ``u -> v``, and an adjacency the data support
        is then kept as ``v -> u``; forbid both to remove it. Passed to causal-learn for PC
        and FCI and enforced on the result of every method.
    max_condition_size : int or None, default=4
        Largest conditioning set PC and FCI try (``None``: no limit); FCI's
        possible-d-separation step, which causal-learn runs without a limit, tries larger
        ones (all subsets of a node's possible-d-separating set). Larger sets cost
        exponentially more tests and, with finite data, mostly lose power: on the
        40-node SEMs of ``benchmarks/graphs_sem.py`` at 10,000 rows the limit of 4 took
        11-29 s (18.9 s in the latest run) instead of 3-6 minutes with
        ``test="block-lrt-basis"`` and recovered more
        of the Markov blanket; on the 20-node SEMs the graphs were the same as without a
        limit. PC's collider step and its rule for nodes independent of the target try
        sets of up to one node more: a set that separated two nodes, plus the node
        between them; its check that puts back an edge at the target (see the module
        notes) tests a removed edge given its separating sets of up to this size, each
        with the node's neighbours that are independent of the target, however many.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative row weights (survey or inverse-probability weights). Each test then
        regresses the two tested blocks on the conditioning set by weighted least squares
        and tests the weighted sum of the products of their residuals with its robust
        (sandwich) variance (``"block-lrt-nonlinear"`` combines two such tests, as it
        combines its unweighted ones). Rows of weight 0 are left out before the data are
        checked (their values and labels may be missing); equal weights give the
        unweighted discovery exactly. Only with ``method="pc"`` or ``"fci"`` and a
        ``"block-lrt"`` test; anything else is refused. The tests hold their level while no
        few rows carry most of the weight: with inverse-probability weights whose largest
        was about 5 times their mean, a true independence was rejected at ``alpha=0.01``
        in 1% of 200 samples, with weights up to about 26 times their mean in 16%, so
        such a graph has more edges than the data support. The weighted tests read every
        row each time: on the 20-node SEMs of ``benchmarks/graphs_sem.py`` (5,000 rows)
        discovery took 8.1 s instead of 0.6 s.
    normal_scores : bool, default=False
        Read every numeric column as its normal scores, the standard normal quantiles of
        its ranks (every method and test). The graph is then the same under any
        increasing transform of a column (a log scale, other units), and skewed or
        heavy-tailed columns make far fewer false edges; on the nonlinear SEMs of
        ``benchmarks/graphs_sem.py`` it cost accuracy downstream (see the module notes).
        Use it for skewed measurements such as laboratory values.
    random_state : int, RandomState instance or None, default=None
        Seeds the randomised test ``"rcit"``; the other methods are deterministic.
    verbose : int, default=0
        ``>= 1`` reports each step and its time (for PC: the skeleton, the colliders) at
        INFO level on the ``skcama`` logger, and on standard error where logging is not
        configured; PC and FCI also show causal-learn's progress bar (one pass over the
        nodes per size of conditioning set) on standard error when it is a terminal
        (see ``progress``). Nothing bounds the search's time: on wide tables, ``max_condition_size``
        and a cheaper ``test`` are the levers (see the graphs guide).
    progress : bool or None, default=None
        Whether PC and FCI show causal-learn's progress bar on standard error; ``None``
        shows it with ``verbose >= 1`` in a terminal or a notebook, and not where
        standard error is a file or a pipe, which its redrawn frames would fill (about
        10 KB for 20 columns). ``True`` draws it anyway; ``False`` never.

    Returns
    -------
    networkx.DiGraph
        A DAG over the columns of ``X`` and the target. Graph attributes record the
        method (``graph.graph["method"]``), the test, ``alpha``, ``target_alpha`` and
        ``max_condition_size`` (``None`` for GES), ``normal_scores``, the background
        knowledge given (``"background"``, as text), the seconds taken and the number of
        edges discovery left unoriented (``"n_oriented_by_rule"``); JSON files keep them
        as they are, GML, GraphML and DOT files as text (GML writes a boolean as 0 or 1,
        and None as ``"None"``). The target node has ``outcome=True``, DAGitty's mark, so a
        written graph names its target (``skcama roles`` and ``fit`` find it there).

    Raises
    ------
    ValueError
        On an unknown method, test or background key (with a suggestion), or bad data
        (with ``test="fisherz"``, perfectly correlated columns are named).
    GraphError
        On contradictory background knowledge: a cycle of required edges, an edge both
        required and forbidden or against the tiers, a node in two tiers.

    See Also
    --------
    skcama.graph.node_roles : The role of every node of the result for the target.

    Notes
    -----
    causal-learn runs with state shared by the whole process (warning filters, standard
    output, and under ``"fci"`` the hash of its nodes), so calls from several threads of
    one process run one at a time; search in parallel with processes (joblib's default
    backend) to discover graphs at once.

    Examples
    --------
    >>> from skcama.datasets import SyntheticSEM
    >>> sem = SyntheticSEM(n_parents=1, n_coparents=1, n_children=3, n_outside=1,
    ...                    random_state=0)
    >>> X, y = sem.sample(2000, random_state=0)
    >>> graph = discover_graph(X, y, target="y")
    >>> sorted(nx.all_neighbors(graph, "y"))
    ['a1', 'x1', 'x2', 'x3']
    >>> graph.graph["method"], graph.graph["test"]
    ('pc', 'block-lrt-nonlinear')
    """
    start = time.perf_counter()
    method = _check_option("method", method, METHODS)
    test = _check_option("test", test, TESTS)
    if not isinstance(target, Hashable):  # a node name: it failed inside a dict before
        raise TypeError(
            f"target must be the target's name (a string or a number), got the "
            f"{type(target).__name__} {target!r}."
        )
    if not (random_state is None or isinstance(random_state, np.random.RandomState) or (
        isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool)
        and 0 <= random_state < 2**32
    )):  # rcit seeds numpy with it: numpy's message named no option
        raise ValueError(
            "random_state must be None, an int in [0, 2**32 - 1] or a "
            f"numpy.random.RandomState; got {random_state!r}."
        )
    if not (is_real_number(alpha) and 0 < alpha < 1):
        raise ValueError(f"alpha must be a number strictly between 0 and 1, got {alpha!r}.")
    if max_condition_size is not None and (
        isinstance(max_condition_size, bool)
        or not isinstance(max_condition_size, numbers.Integral)
        or max_condition_size < 0
    ):
        raise ValueError(
            "max_condition_size must be a whole number >= 0, or None for no limit; got "
            f"{max_condition_size!r}."
        )
    if not isinstance(verbose, numbers.Integral) or verbose < 0:  # True / False too
        raise ValueError(
            f"verbose must be a whole number >= 0 (or True / False); got {verbose!r}."
        )
    if max_condition_size is not None:  # numpy's integers too: causal-learn's FCI takes int
        max_condition_size = int(max_condition_size)
    if method == "ges":
        _warn_of_unused_ges_options(
            test=test, alpha=alpha, target_alpha=target_alpha,
            max_condition_size=max_condition_size,
        )
    alpha = float(alpha)
    if target_alpha is None:
        target_alpha = max(alpha, _TARGET_ALPHA)
    elif not (is_real_number(target_alpha) and 0 < target_alpha < 1):
        raise ValueError(
            "target_alpha must be a number strictly between 0 and 1, or None for the larger "
            f"of alpha and {_TARGET_ALPHA}; got {target_alpha!r}."
        )
    target_alpha = float(target_alpha)
    if not isinstance(normal_scores, (bool, np.bool_)):
        raise ValueError(f"normal_scores must be True or False, got {normal_scores!r}.")
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        raise ValueError(f"progress must be True, False or None, got {progress!r}.")
    weights, positions = None, None
    if sample_weight is not None:
        weights = _discovery_weights(sample_weight, len(X), method, test)
        warn_if_misaligned(X, "sample_weight", sample_weight)  # paired by position, as in fit
        keep = weights > 0
        if not keep.all():  # a row of weight 0 is left out before anything else is checked
            if keep.sum() < 10:
                raise ValueError(
                    f"discovery needs at least 10 rows of positive weight, got {keep.sum()}."
                )
            X = X[keep] if isinstance(X, pd.DataFrame) else np.asarray(X)[keep]
            if y is not None:
                y = y[keep] if isinstance(y, pd.Series) else np.asarray(y)[keep]
            weights = weights[keep]
            positions = np.flatnonzero(keep)  # the rows' numbers in the user's X
        if np.all(weights == weights[0]):  # equal weights: the unweighted discovery exactly
            weights = None
        elif weights.max() > 1e100:  # the tests' weighted sums overflowed: an empty graph
            weights = weights / weights.max()  # (only the weights' ratios count)
    frame, labels, target = _frame_and_target(X, y, target, positions, normal_scores)
    given_order = [*frame.columns, target]
    # The search sees the columns sorted by name, so the graph does not depend on their
    # order in X (PC's orientations and the ties of a consistent extension did).
    # (names that print alike, 1 and '1', are told apart by their type: ties were left to
    # X's order)
    by_name = sorted(range(frame.shape[1]), key=lambda j: text_then_type(frame.columns[j]))
    if by_name != list(range(frame.shape[1])):  # no copy of a frame already in that order
        frame = frame.iloc[:, by_name]
    names = [*frame.columns, target]
    knowledge = _check_background(background, names)
    # Constant columns carry no information (a constant categorical column would even read
    # as dependent on everything): they are left out of the search and get no edges.
    kept = [j for j in range(frame.shape[1]) if not _is_constant(frame.iloc[:, j])]
    if len(kept) < frame.shape[1]:
        constant = [names[j] for j in sorted(set(range(frame.shape[1])) - set(kept))]
        required = [c for c in constant if any(c in edge for edge in knowledge["required"])]
        also = (f" (besides the edges background requires of {required})" if required
                else "")
        warn_user(
            f"columns {constant} are constant, so they carry no information about the other "
            f"nodes; discovery gives them no edges{also}. Drop them from X if they are not "
            "needed."
        )
    search = frame.iloc[:, kept]
    searched = [*search.columns, target]
    index = {name: i for i, name in enumerate(searched)}
    log = functools.partial(_report, verbose)
    settings = f"method={method!r}" + (  # GES has no tests
        "" if method == "ges"
        else f", test={test!r}, alpha={alpha:g}, target_alpha={target_alpha:g}"
    )
    log("discovering a graph over %d nodes from %d rows (%s)", len(names), len(frame), settings)
    if method == "ges":
        if search.shape[1] > _GES_WARN_COLUMNS:
            warn_user(
                f"GES over {search.shape[1]} columns: its search grows steeply with the "
                "columns and can take many minutes beyond about 20, at every fit. "
                "method='pc' (the default) scales further; or keep the columns that matter.",
                UserWarning,
            )
        marks = _run_ges(search, labels, target, searched, knowledge, normal_scores)
    else:
        marks = _run_constraint_based(
            method,
            test,
            search,
            labels,
            target,
            alpha,
            knowledge,
            index,
            max_condition_size,
            random_state,
            weights,
            normal_scores,
            target_alpha,
            verbose,
            _bar_wanted(verbose, progress),
        )
    if len(searched) < len(names):  # the constant columns back, without edges
        full = np.zeros((len(names), len(names)), dtype=marks.dtype)
        position = [*kept, len(names) - 1]
        full[np.ix_(position, position)] = marks
        marks = full
    searched_graph, n_rule = _to_dag(marks, names, knowledge)
    graph = nx.DiGraph()  # the nodes in the order of X's columns, as given
    graph.add_nodes_from(given_order)
    graph.add_edges_from(searched_graph.edges)  # in the search's order, the same for any X
    seconds = time.perf_counter() - start
    graph.graph.update(
        method=method,
        test=None if method == "ges" else test,
        alpha=None if method == "ges" else alpha,
        target_alpha=None if method == "ges" else target_alpha,
        max_condition_size=None if method == "ges" else max_condition_size,
        normal_scores=bool(normal_scores),
        seconds=seconds,
        n_oriented_by_rule=n_rule,
    )
    if any(knowledge.values()):  # as text, which GML, GraphML and JSON files keep
        graph.graph["background"] = repr({k: v for k, v in knowledge.items() if v})
    if "cycles_broken" in searched_graph.graph:
        graph.graph["cycles_broken"] = searched_graph.graph["cycles_broken"]
    # marked as DAGitty marks it, so that a written graph names its target
    graph.nodes[target]["outcome"] = True
    log(
        "discovered %d edges in %.2f s (%d oriented by rule); target %r has %d parents and "
        "%d children",
        graph.number_of_edges(),
        seconds,
        n_rule,
        target,
        graph.in_degree(target),
        graph.out_degree(target),
    )
    return graph


_DEFAULTS = {name: parameter.default for name, parameter in
             inspect.signature(discover_graph).parameters.items()}


def _warn_of_unused_ges_options(**given: Any) -> None:
    """Warn of options of the tests that ``method="ges"`` was given other than their
    defaults: GES runs no tests, so they would change nothing (a grid over ``alpha``
    would tune nothing)."""
    unused = [name for name, value in given.items() if value != _DEFAULTS[name]]
    if unused:
        warn_user(
            f"method='ges' does not use {unused}: GES scores whole graphs (BIC) and runs no "
            "independence tests, so they are ignored. Leave them out, or use method='pc' "
            "or 'fci', which use them."
        )


def _takes_row_weights(method: str, test: Any) -> bool:
    """Whether discovery by ``method`` with ``test`` weighs its tests by the rows: PC and
    FCI with a block-lrt test do; GES's score and the other tests take no weights."""
    return method != "ges" and isinstance(test, str) and test.strip().lower().startswith(
        "block-lrt")


def _discovery_weights(sample_weight: Any, n_rows: int, method: str, test: str) -> np.ndarray:
    """``sample_weight`` of :func:`discover_graph`, checked: the method and test must use
    it, and :func:`~skcama._columns.check_sample_weight` (as in ``fit``)."""
    if not _takes_row_weights(method, test):
        used = "method='ges'" if method == "ges" else f"test={test!r}"
        raise ValueError(
            f"sample_weight is used by the block-lrt tests of method='pc' or 'fci', not by "
            f"{used}; use method='pc' with test='block-lrt-nonlinear' (the default), or "
            "leave the weights out."
        )
    return check_sample_weight(sample_weight, n_rows)


def _check_option(name: str, value: Any, options: Sequence[str]) -> str:
    if isinstance(value, str) and value.strip().lower() in options:
        return value.strip().lower()
    close = did_you_mean(value, options) if isinstance(value, str) else []
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"{name} must be one of {list(options)}, got {value!r}.{hint}")


def _frame_and_target(
    X: Any, y: Any, target: Hashable | None, positions: np.ndarray | None = None,
    normal_scores: bool = False,
):
    """X without the target, the labels and the target's name, checked as fit checks
    them (copies and near-copies among the columns as the tests will read them: through
    their normal scores with ``normal_scores``, where a column and its log are one
    column); ``positions`` are the rows' numbers in the user's X where rows were left out
    (weight 0), for messages that name rows."""
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    # whole names only: ``name in frame.columns`` also matches the first level of a
    # MultiIndex, whose columns are tuples
    columns = list(frame.columns)
    labels_name = "y"
    if y is None:
        if target is None or target not in columns:
            close = did_you_mean(target, columns) if target is not None else []
            hint = f" Did you mean {close[0]!r}?" if close else ""
            given = "no target was given" if target is None else f"{target!r} is not one"
            raise ValueError(
                f"y is None, so the target must be a column of X, and {given} (columns: "
                f"{list(frame.columns)[:10]}).{hint} Pass target=<column name>, or the "
                "labels as y."
            )
        labels = frame[target].to_numpy()
        labels_name = f"X[{target!r}]"
        frame = frame.drop(columns=[target])
    else:
        if isinstance(X, pd.DataFrame):
            check_label_not_a_column(getattr(y, "name", None), columns)
        warn_if_misaligned(X, "y", y)  # rows are paired by position, as in fit
        labels = np.asarray(y)
        if labels.ndim > 1 and labels.shape[1:] != (1,) * (labels.ndim - 1):
            raise ValueError(
                f"y must hold one label per row (1-d), got shape {labels.shape}; pass a "
                "single column of labels."
            )
        labels = labels.ravel()
        if target is None:  # as fit names unnamed labels
            name = getattr(y, "name", None)
            target = (name if name is not None and name not in columns
                      else _unnamed_target(columns, frame, labels))
        if target in columns:
            raise ValueError(
                f"the target {target!r} is also a column of X; drop that column or pass "
                "another target name."
            )
        alike = [c for c in columns if str(c) == str(target)]
        if alike:  # '1' beside a column 1: a graph with two nodes reading '1'
            raise ValueError(
                f"the target {target!r} reads as X's column {alike[0]!r} ("
                f"{type(target).__name__} against {type(alike[0]).__name__}): the graph "
                "would hold two nodes that read alike, which no other function accepts. "
                "Name the target otherwise, or name X's columns as text "
                "(X.columns = X.columns.map(str))."
            )
    if frame.shape[1] == 0:
        given = (f"X's only column is the target {target!r}" if y is None else
                 f"X has no columns (only the labels of the target {target!r} were given)")
        raise ValueError(
            f"{given}, so there is nothing to discover: a graph needs at least "
            "one measurement besides the target. Pass X with the measurements as its "
            "columns (on the command line: a table with columns besides --target, --id and "
            "--weight)."
        )
    check_one_label_per_row(len(frame), len(labels))
    check_unique_columns(frame)
    if len(frame) < 10:
        raise ValueError(f"discovery needs at least 10 rows, got {len(frame)}.")
    if len(frame) < _FEW_ROWS:
        warn_user(
            f"discovery on {len(frame)} rows: its independence tests have little power below "
            f"a few hundred rows, so edges at the target are easily missed (with none, fit "
            "has nothing to predict from). Give it more rows, or draw the graph from what "
            "you know and pass it as graph=.",
            UserWarning,
        )
    # before anything sorts them: labels mixing text and numbers made numpy's sort fail
    check_fit_labels(labels, labels_name, positions)
    if len(np.unique(labels.astype(str))) < 2:
        shown = f" ({_plain(labels[0])!r})" if len(labels) else ""
        raise ValueError(
            f"y holds a single class{shown}; discovery needs at least 2 classes, as it "
            "tests which columns depend on the label. Check that y is the label column and "
            "that the rows were not filtered to one class."
        )
    if type_of_target(labels) == "continuous":
        raise ValueError(
            f"y holds {len(np.unique(labels))} distinct non-integer numbers, a continuous "
            "quantity; discovery (like fit) needs class labels. Bin it first (pd.cut) or "
            "pass the classes."
        )
    for column in frame.columns:  # dates, durations, complex numbers: as fit refuses them
        check_measurement_dtype(frame[column], column)
    frame = _read_text_as_fit(frame)
    numeric = [c for c in frame.columns if not _is_categorical(frame[c])]
    numeric_set = set(numeric)
    # converted once for the checks below; an object column of numbers column by column,
    # pd.NA there missing (the frame's own conversion raised pandas' TypeError on it)
    if any(frame[c].dtype == object for c in numeric):
        values = np.column_stack([
            (pd.to_numeric(frame[c], errors="coerce") if frame[c].dtype == object
             else frame[c]).to_numpy(dtype=float, na_value=np.nan) for c in numeric
        ])
    else:
        values = frame[numeric].to_numpy(dtype=float)
    infinite = [c for c, bad in zip(numeric, np.isinf(values).any(axis=0), strict=True) if bad]
    if infinite:
        raise ValueError(
            f"X contains infinite values in columns {infinite}; replace them (by NaN, say, "
            "and impute) before discovery."
        )
    holes = [c for c, bad in zip(numeric, np.isnan(values).any(axis=0), strict=True) if bad]
    holes += [c for c in frame.columns if c not in numeric_set and frame[c].isna().any()]
    if holes:
        complete = int(frame.notna().all(axis=1).sum())
        fix = (  # holes spread over many columns leave few complete rows
            "discover on the complete rows (keep = X.notna().all(axis=1); "
            "discover_graph(X[keep], y[keep]); on the command line skcama discover "
            "--complete-rows)" if complete >= _FEW_ROWS else
            "impute them for discovery alone (e.g. scikit-learn's SimpleImputer or "
            "IterativeImputer; too few rows are complete to discover on them)"
        )
        raise ValueError(
            f"X contains missing values in columns {holes}; {complete} of "
            f"{len(frame)} rows are complete, and discovery needs complete rows: {fix}, "
            "and pass that graph to fit, which accepts missing values."
        )
    identifiers = [c for c in frame.columns
                   if c not in numeric_set and _distinct_in_every_row(frame[c])]
    if identifiers:  # refused: a 60-column search with one ran past 5 minutes (76 s without)
        first = identifiers[0]
        raise ValueError(
            f"columns {identifiers} hold a distinct value in every row (e.g. "
            f"{frame[first].iloc[0]!r} in {first!r}), as an identifier does: as a category "
            "with one level per row it tells nothing about the label and makes every test "
            "of it slow. Drop it from X (X.drop(columns=[...]); on the command line: --id "
            f"{first!r})."
        )
    crowded = {c: n for c in frame.columns if c not in numeric_set
               and (n := frame[c].nunique()) > max(_CROWDED_LEVELS, len(frame) // 2)}
    if crowded:  # one duplicate let an identifier past the check above: it joined every node
        first, levels = next(iter(crowded.items()))
        convert = f"convert a measurement with pd.to_numeric(X[{first!r}], errors='coerce')"
        text = frame[first].dropna()
        if pd.api.types.infer_dtype(text, skipna=True) == "string":
            as_numbers, mark = _text_as_numbers(text.astype(str))
            if mark and as_numbers.notna().mean() >= 0.5:  # '1,730', '1 730', '37,5'
                convert = ("if it is a measurement, read it as one: "
                           + comma_advice(mark, mark_example(text.astype(str))))
        raise ValueError(
            f"columns {list(crowded)} hold nearly one distinct value per row ({levels} in "
            f"{len(frame)} rows in {first!r}), as an identifier, free text or numbers with "
            "stray text do: read as categorical labels, each level has a row or two, and "
            "the tests, which fit one indicator per level, find such a column dependent on "
            "every other (one took the place of the label's every neighbour). Drop it "
            f"from X (on the command line: --id {first!r}), or {convert}."
        )
    # every test is unchanged by a column's scale; values whose squares overflow (above
    # about 1e154) or underflow (below about 1e-162, read as perfectly correlated with
    # others) are divided by their largest magnitude, on a copy
    top = np.abs(values).max(axis=0, initial=0)
    huge = (top > 1e150) | ((top > 0) & (top < 1e-150))
    if huge.any():
        values = values / np.where(huge, top, 1.0)
        frame = frame.copy()
        for j in np.flatnonzero(huge):
            frame[numeric[j]] = values[:, j]
    # one correlation matrix for both checks: the pairs beyond 0.99, strongest first
    read = _normal_scores(values) if normal_scores and len(values) else values
    close = _perfectly_correlated(read, numeric, above=_NEAR_COLLINEAR)
    pairs = [pair for pair in close if abs(pair[2]) > _PERFECT]
    if pairs:
        shown = "; ".join(f"{a!r} and {b!r}" for a, b, _ in pairs[:5])
        more = "; ..." if len(pairs) > 5 else ""
        how = ("with normal_scores=True the tests read columns through their ranks, and "
               "one is an increasing or decreasing function of the other, e.g. a copy, its "
               "log or other units" if normal_scores
               else "one is a linear function of the other, e.g. a copy or the same "
               "measurement in other units")
        raise ValueError(
            f"these columns of X are perfectly correlated: {shown}{more} ({how}). No test "
            "can tell which of the two the label depends on, so the graph would be "
            "arbitrary. Drop one column of each pair."
        )
    _check_same_groupings(frame, labels, target)
    if close:
        shown = "; ".join(f"{a!r} and {b!r} ({r:+.3f})" for a, b, r in close[:5])
        more = f"; and {len(close) - 5} more pairs" if len(close) > 5 else ""
        warn_user(
            f"these columns of X are nearly collinear: {shown}{more}. Each nearly "
            "determines the other, so conditional independence tests can hardly tell which "
            "of them the label depends on, and discovery may cut the label's edges to all of "
            "them. Keep one column of each group (or combine them), and compare the model "
            "with graph=None by cross-validation.",
            UserWarning,
        )
    return frame, labels, target


_CROWDED_LEVELS = 20  # a categorical column with more levels than this and half the rows
# is refused by discovery as nearly an identifier


def _read_text_as_fit(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns read as :meth:`CAMAClassifier.fit <skcama.CAMAClassifier.fit>` reads
    them (:func:`~skcama._columns.infer_kind`), before discovery sorts its columns into
    numbers and labels.

    Numbers written as text (``pd.read_csv(..., dtype=str)``) become the numbers, with
    fit's warning. A measurement with a stray note ("high", "<0.1": numbers as text or
    as numbers, and some text) stays labels with fit's warning, or, where that gives a
    level per row, is refused with fit's fix rather than called an identifier. Columns
    of one type are screened as a whole; only a column whose values are numbers and
    text is read value by value. Returns ``frame``, or a copy with the converted
    columns."""
    converted: dict = {}
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype) or not (
            values.dtype == object or pd.api.types.is_string_dtype(values.dtype)
        ):
            continue
        observed = values.dropna()
        inferred = pd.api.types.infer_dtype(observed, skipna=True)
        if inferred not in ("string", "mixed", "mixed-integer"):
            continue  # one type, or numbers only ("mixed-integer-float")
        distinct = _distinct_in_every_row(observed)
        comma = False
        if inferred == "string":
            as_numbers, comma = _text_as_numbers(observed.astype(str))
            parsed = as_numbers.dropna()
            measured = len(parsed) >= 0.5 * len(observed) and not (parsed % 1 == 0).all()
            if distinct and not measured:
                continue  # codes or row numbers: refused as an identifier below, as fit warns
            if not comma and len(parsed) == len(observed) and len(parsed) and (
                _numbers_kind(parsed) == "gaussian"
            ):
                converted[column] = pd.to_numeric(values, errors="coerce")
                continue
            stray = observed[as_numbers.isna()]
        else:  # numbers and other values
            is_number = np.fromiter(map(is_real_number, observed), dtype=bool,
                                    count=len(observed))
            measured = bool(is_number.mean() >= 0.5)
            stray = observed[~is_number]
        if not measured:
            continue  # labels or codes, as fit reads them
        if not distinct:
            infer_kind(values)  # fit's warning, word for word
            continue
        if comma:  # decimal commas, or thousands grouped by a mark
            fix = comma_advice(comma, mark_example(observed.astype(str)))
        else:
            fix = (f"it holds numbers and some text ({_show(pd.unique(stray))}); if it is a "
                   f"measurement, convert it with pd.to_numeric(X[{column!r}], "
                   "errors='coerce') (the text becomes missing; then impute it, or discover "
                   "on the complete rows)")
        raise ValueError(
            f"column {column!r} is read as categorical labels, one level per distinct value: "
            "here one level per row, which tells nothing about the label and makes every "
            f"test of it slow. {fix[0].upper()}{fix[1:]}; if it numbers the rows, drop it "
            f"from X (on the command line: --id {column!r})."
        )
    if not converted:
        return frame
    warn_numbers_as_text(list(converted))
    frame = frame.copy()
    for column, values in converted.items():
        frame[column] = values
    return frame


_FEW_ROWS = 100  # below this, discovery warns that its tests have little power
_GROUPING_LEVELS = 50  # columns with at most this many values are compared as groupings


def _check_same_groupings(frame: pd.DataFrame, labels: np.ndarray, target: Hashable) -> None:
    """Refuse two columns that group the rows alike (a copy of a categorical column, a
    grade also written as text: a relabelling, which the correlation check cannot see),
    and warn about a column that groups them as the labels do (a copy of the label, which
    would take every edge of the target)."""
    def grouping(values: Any) -> bytes:
        return pd.factorize(pd.Series(values).astype(str), sort=False)[0].tobytes()

    seen: dict[bytes, Hashable] = {}
    same = []
    # groupings, not measurements: a constant (warned about apart) or a column with a value
    # in nearly every row (continuous, an identifier) is no grouping
    limit = min(_GROUPING_LEVELS, len(frame) // 2)
    for column in frame.columns:
        if not 1 < frame[column].nunique() <= limit:
            continue
        key = grouping(frame[column])
        if key in seen:
            same.append((seen[key], column))
        else:
            seen[key] = column
    if same:
        shown = "; ".join(f"{a!r} and {b!r}" for a, b in same[:5])
        raise ValueError(
            f"these columns of X group the rows alike: {shown} (one is a relabelling of "
            "the other, e.g. a copy, or a grade written once as numbers and once as text). "
            "No test can tell which of the two the label depends on, and discovery would "
            "cut the label's edges to both. Drop one column of each pair."
        )
    copy = seen.get(grouping(labels))
    if copy is not None:
        warn_user(
            f"column {copy!r} of X groups the rows as the labels do: it holds the labels "
            f"themselves (recoded), so discovery joins {target!r} to it alone and the real "
            "causes and effects lose their edges. Drop it from X.",
            UserWarning,
        )


_GES_WARN_COLUMNS = 20  # benchmarks/real_tables.py: 2.6 s at 20 columns, 15.8 s at 24 (PC 0.8, 1.1)
_NEAR_COLLINEAR = 0.99  # |correlation| above which two columns are nearly one


_PERFECT = 1 - 1e-12  # |correlation| of a column and a linear function of it


def _perfectly_correlated(data: np.ndarray, names: list, above: float = _PERFECT) -> list:
    """Pairs of ``names`` whose columns of ``data`` correlate beyond ``above`` in absolute
    value (perfectly, by default; constant columns pair with nothing), strongest first,
    each with its correlation."""
    if data.shape[1] < 2:
        return []
    with np.errstate(all="ignore"):
        corr = np.atleast_2d(np.corrcoef(data, rowvar=False))
    rows, cols = np.nonzero(np.triu(np.abs(corr) > above, k=1))
    pairs = sorted(zip(rows, cols, strict=True), key=lambda ij: -abs(corr[ij]))
    return [(names[i], names[j], float(corr[i, j])) for i, j in pairs]


# causal-learn runs with state that belongs to the whole process: the warning filters,
# standard output and, under FCI, the hash of its nodes. Discovery therefore runs one call
# at a time per process; threads that discover at once (a threaded search) take turns.
_DISCOVERY_LOCK = threading.RLock()


@contextlib.contextmanager
def _causal_learn_call():
    """Around every call into causal-learn: one discovery at a time in the process, the
    warnings of causal-learn's own code ignored, what it prints kept off this thread's
    standard output. The filters belong to the whole process, so they name causal-learn's
    modules: ignoring every warning left other threads silent while a discovery ran."""
    with _DISCOVERY_LOCK, _quiet(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"causallearn(\.|$)")
        yield


@contextlib.contextmanager
def _numpy_global_seed(seed: int) -> Iterator[None]:
    """numpy's global random state seeded with ``seed`` inside the block and restored
    after it: causal-learn's RCIT ignores a ``seed`` argument and draws its random
    features with ``np.random``, so the graph changed from call to call and every call
    moved the caller's global state. Call it under ``_DISCOVERY_LOCK`` (as
    :func:`_causal_learn_call` holds it); numpy code of the user's own in another thread
    meanwhile draws from the seeded state."""
    saved = np.random.get_state()  # noqa: NPY002 (the global state is the point)
    np.random.seed(seed)  # noqa: NPY002 (the global state is the point)
    try:
        yield
    finally:
        np.random.set_state(saved)  # noqa: NPY002 (the global state is the point)


@contextlib.contextmanager
def _stable_node_hashes():
    """Hash causal-learn's nodes by the CRC-32 of their names while FCI runs.

    ``GraphNode`` hashes its name, a str, and Python salts str hashes per process
    (``PYTHONHASHSEED``); FCI walks sets of nodes, so the order of its steps, and on some
    data its graph, changed from one process to the next. CRC-32 gives every process the
    same order. Equality is untouched; the class's own hash is restored afterwards. The
    class is shared by the process: call this under ``_DISCOVERY_LOCK``, and note that
    causal-learn code of the user's own, running in another thread meanwhile, sees the
    changed hash.
    """
    from causallearn.graph.GraphNode import GraphNode

    original = GraphNode.__hash__
    GraphNode.__hash__ = _crc32_node_hash
    try:
        yield
    finally:
        GraphNode.__hash__ = original


def _crc32_node_hash(node) -> int:
    return zlib.crc32(str(node.get_name()).encode())


class _MutedThread:
    """Standard output that drops what one thread writes while ``active`` and passes
    everything else on to ``target``."""

    def __init__(self, target, thread: int):
        self.target, self.thread, self.active = target, thread, True

    def _muted(self) -> bool:
        return self.active and threading.get_ident() == self.thread

    def write(self, text: str) -> int:
        return len(text) if self._muted() else self.target.write(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if not self._muted():
            self.target.flush()

    def __getattr__(self, name: str):
        if name == "target":  # not set yet (copy.copy makes an empty instance first)
            raise AttributeError(name)
        return getattr(self.target, name)


@contextlib.contextmanager
def _quiet():
    """causal-learn prints (FCI, GES); keep what this thread prints off the console while
    other threads' output goes through. Nested use is fine. Where another thread replaced
    ``sys.stdout`` meanwhile and puts this proxy back later, the proxy is inert by then."""
    if sys.stdout is None:  # nothing to print to (pythonw): print() already does nothing
        yield
        return
    proxy = _MutedThread(sys.stdout, threading.get_ident())
    sys.stdout = proxy
    try:
        yield
    finally:
        proxy.active = False
        if sys.stdout is proxy:
            sys.stdout = proxy.target


def _run_constraint_based(
    method, test, frame, labels, target, alpha, knowledge, index, max_k, random_state,
    weights=None, normal_scores=False, target_alpha=None, verbose=0, progress=False,
) -> np.ndarray:
    from causallearn.search.ConstraintBased.FCI import fci

    target_alpha = alpha if target_alpha is None else target_alpha
    split = test == "indicator-fisherz"
    basis = test in ("block-lrt-basis", "block-lrt-nonlinear")
    encoded = _encode(frame, labels, target, basis=basis, normal_scores=normal_scores)
    target_index = len(encoded.names) - 1  # _encode puts the target last
    if split:
        data, node_of = _indicator_data(encoded)
        indep_test, kwargs = "fisherz", {}
    elif test.startswith("block-lrt"):
        data, node_of = encoded.data, list(range(len(encoded.names)))
        indep_test = _LRT_NAME
        kwargs = dict(
            expanded=encoded.expanded, blocks=encoded.blocks, conditioning=encoded.conditioning
        )
        if test == "block-lrt-nonlinear":  # the tested pair in the basis too
            kwargs["tested"] = encoded.conditioning
        if encoded.interactions is not None:  # the basis tests
            kwargs["interactions"] = encoded.interactions
        if weights is not None:
            kwargs["weights"] = weights
    else:
        data, node_of = encoded.data, list(range(len(encoded.names)))
        indep_test, kwargs = test, {}
    seeded = contextlib.nullcontext()
    if test == "rcit":  # causal-learn's RCIT draws its features from numpy's global state
        seed = (
            np.random.RandomState(random_state)
            if not isinstance(random_state, np.random.RandomState)
            else random_state
        )
        seeded = _numpy_global_seed(int(seed.randint(0, 2**31 - 1)))
    if target_alpha != alpha:  # the target's columns are read at their own level
        targets = [i for i, node in enumerate(node_of) if node == target_index]
        kwargs = dict(inner=indep_test, targets=targets, factor=alpha / target_alpha, **kwargs)
        indep_test = _TARGET_LEVEL_NAME
    # FCI's knowledge is built under the hashes FCI runs with: causal-learn keys its
    # tiers by node in a dict, whose entries made under the usual hash no lookup found
    # (FCI searched as if no tiers were given; they were imposed on its result only)
    bk = _causallearn_background(knowledge, index) if not split and method == "pc" else None
    if split and any(knowledge.values()):
        logger.info("indicator-fisherz: background knowledge is applied after discovery")
    with _causal_learn_call(), seeded, _singular_named(data, node_of, encoded.names, test):
        if method == "pc":
            target_node = None if split else target_index
            cg = _pc(data, alpha, indep_test, bk, max_k, target_node, verbose, progress,
                     names=None if split else encoded.names, **kwargs)
            marks = np.asarray(cg.G.graph)
        else:
            with _stable_node_hashes():
                bk = _causallearn_background(knowledge, index) if not split else None
                g, _ = fci(
                    data,
                    indep_test,
                    alpha,
                    depth=-1 if max_k is None else max_k,
                    background_knowledge=bk,
                    show_progress=progress,  # a bar per depth on standard error
                    verbose=False,
                    **kwargs,
                )
            marks = np.asarray(g.graph)
    if split:
        marks = _merge_indicators(marks, node_of, len(encoded.names))
    return marks


@contextlib.contextmanager
def _singular_named(data: np.ndarray, node_of: list, names: list, test: str):
    """Turn causal-learn's "correlation matrix is singular" (Fisher-z) into an error that
    names the perfectly correlated columns (``data``'s column ``i`` is node ``node_of[i]``)."""
    try:
        yield
    except ValueError as error:
        if "singular" not in str(error):
            raise
        pairs: list = []
        for a, b, _ in _perfectly_correlated(data, [names[n] for n in node_of]):
            pair = (a, b)
            if a != b and pair not in pairs:
                pairs.append(pair)
        if pairs:
            shown = "; ".join(f"{a!r} and {b!r}" for a, b in pairs[:5])
            more = "; ..." if len(pairs) > 5 else ""
            what = (
                f"these columns are perfectly correlated: {shown}{more} (one is a linear "
                "function of the other). Drop one column of each pair"
            )
        else:
            what = (
                "some column is an exact linear combination of others (e.g. a total and its "
                "parts). Drop one of them"
            )
        raise ValueError(
            f"test={test!r} cannot run: the data's correlation matrix is singular because "
            f"{what}, or use test='block-lrt-nonlinear' (the default), which tolerates them."
        ) from error


def _pc(data, alpha, indep_test, bk, max_k, target_node=None, verbose=0, progress=False,
        names=None, **kwargs):
    """PC-stable with definiteMaxP colliders, from causal-learn's pieces.

    causal-learn's own definiteMaxP step tries *every* subset of the neighbours of each
    unshielded triple, which is exponential in the degree (minutes at 40 nodes); here it
    tries the subsets of at most the size the skeleton search needed, plus one. Measured
    on the 20-node SEMs of ``benchmarks/graphs_sem.py`` (8 seeds) the graphs are identical.
    """
    from causallearn.utils.cit import CIT
    from causallearn.utils.PCUtils import Meek, SkeletonDiscovery
    from causallearn.utils.PCUtils.BackgroundKnowledgeOrientUtils import (
        orient_by_background_knowledge,
    )

    test = CIT(data, indep_test, **kwargs)
    log = functools.partial(_report, verbose)
    log("pc: finding the skeleton (conditioning sets of up to %s nodes)",
        "any number of" if max_k is None else max_k)
    start = time.perf_counter()
    cg = SkeletonDiscovery.skeleton_discovery(  # with progress, a bar per depth on stderr
        data, alpha, test, stable=True, background_knowledge=bk, verbose=False,
        show_progress=progress, max_k=max_k,
    )
    log("pc: skeleton of %d edges in %.1f s", cg.G.get_num_edges(),
        time.perf_counter() - start)
    if bk is not None:
        orient_by_background_knowledge(cg, bk)
    if target_node is not None:  # before the colliders, which read the separating sets
        own = test.inner if isinstance(test, _TargetLevel) else test
        restored = _restore_target_edges(cg, alpha, bk, target_node, own, max_k)
        if restored:
            if bk is not None:  # the edges that came back, as it orients them
                orient_by_background_knowledge(cg, bk)
            log("pc: %d edge(s) at the target put back, as the nodes depend on it given their "
                "neighbours: %s", len(restored),
                _show([names[i] for i in restored]) if names else restored)
    # A collider x -> y <- z is judged on sets with and without y as large as the ones
    # that separated x and z, plus y itself.
    sizes = [len(S) for row in cg.sepset for sets in row if sets for S in sets]
    limit = max(sizes, default=0) + 1
    if max_k is not None:
        limit = min(limit, max_k + 1)
    start = time.perf_counter()
    _definite_colliders(cg, alpha, limit, bk, target_node, log)
    log("pc: colliders (conditioning sets up to %s nodes) in %.1f s", limit,
        time.perf_counter() - start)
    if target_node is not None:  # the rule reads the test's own p-values (not scaled)
        _independent_of_target_point_in(cg, alpha, bk, target_node, limit, own)
    cg = Meek.definite_meek(cg, background_knowledge=bk)
    return Meek.meek(cg, background_knowledge=bk)


def _restore_target_edges(
    cg, alpha: float, bk, target: int, own_test: Callable[..., float] | None = None,
    max_k: int | None = None,
) -> list:
    """Put back the skeleton's edge ``x - target`` wherever ``x`` depends on the target
    given nothing and every set that separated them stops separating them once ``x``'s
    neighbours that are independent of the target join it; returns the nodes whose
    edge came back (see the module notes).

    PC removes an edge as soon as one conditioning set gives a p-value above the level.
    With hidden causes of the children, a set of other children can hide a child: each
    of them is a collider between the target and the hidden cause (``y -> x1 <- L -> x4``),
    and conditioning on it opens a path that can cancel the edge ``y -> x4`` in the test.
    ``x``'s neighbours that share nothing with the target (independent of it given
    nothing: co-parents of ``x``, outside causes) explain part of ``x``; given them as
    well, a cancellation in the test tends to break, while two nodes that are truly apart
    mostly stay apart, as such nodes share no path with the target given nothing.
    Where every separating set fails so, the separation contradicts the rest of the
    evidence and the edge is kept: a lost child costs CAMA a mechanism it relies on, a
    spurious neighbour a column it can learn to ignore.

    The separating sets are the subsets of the nodes of the pair's recorded sets that
    separate the pair: PC-stable records, per depth, the union of the sets that
    separated a pair, and such a union can hold a common effect of the two that only
    cancelled out a path (``x -> c <- a -> target`` beside ``x <- L -> target``: the
    pair is separated given ``L`` and, by the cancellation, given ``c`` alone; ``{L}``,
    with no free neighbour to join it, keeps them apart). Only nodes that depend on the
    target given nothing are tested (by their test's own p-value, at ``alpha``, and so is the
    neighbours' independence): under faithfulness no other node can be adjacent to it.
    The separations are read by the skeleton's test, at the target's level, on the
    subsets of at most ``max_k`` nodes (``max_condition_size``: the skeleton's separating
    sets are no larger; ``None``, every subset, 2 to the power of the union's size),
    each joined by the free neighbours however many; an edge that background knowledge
    forbids both ways stays removed (the caller orients what it forbids one way).

    It can be wrong: where a free neighbour ``f`` shares a hidden cause with ``x`` and
    a cause ``u`` with a node of the separating set (``t -> m <- u -> f <- L -> x``,
    ``m -> x``; a reviewer's case), given ``m`` and ``f`` the path through them opens
    and the edge comes back (in 9 of 10 samples of 5,000 rows of that case). On the
    SEMs it was designed on, no node apart from the target came back.
    """
    from causallearn.graph.Edge import Edge
    from causallearn.graph.Endpoint import Endpoint

    nodes = cg.G.nodes
    own = cg.ci_test if own_test is None else own_test
    adjacent = cg.G.graph != 0
    apart: dict = {}

    def independent(i: int) -> bool:  # of the target, given nothing (not adjacent to it)
        if i not in apart:
            apart[i] = own(i, target, ()) > alpha
        return apart[i]

    restored: list = []
    for x in range(len(nodes)):
        if x == target or adjacent[x, target] or not cg.sepset[x, target]:
            continue
        if bk is not None and bk.is_forbidden(nodes[x], nodes[target]) and bk.is_forbidden(
            nodes[target], nodes[x]
        ):
            continue  # (causal-learn's skeleton removes such an edge with an empty set)
        if independent(x):
            continue
        held = sorted({int(n) for S in cg.sepset[x, target] for n in S})
        free = {int(n) for n in np.flatnonzero(adjacent[x])
                if n != target and not adjacent[n, target] and independent(int(n))}
        top = len(held) if max_k is None else min(len(held), max_k)
        separating = (S for size in range(top + 1) for S in itertools.combinations(held, size)
                      if cg.ci_test(x, target, S) > alpha)
        first = next(separating, None)
        if first is not None and all(  # stops at the first set that still separates them
            cg.ci_test(x, target, tuple(sorted(free | set(S)))) <= alpha
            for S in itertools.chain((first,), separating)
        ):
            restored.append(x)
    for x in restored:  # decided on the skeleton as PC left it, then applied together
        cg.G.add_edge(Edge(nodes[x], nodes[target], Endpoint.TAIL, Endpoint.TAIL))
        cg.sepset[x, target] = cg.sepset[target, x] = None
    return restored


def _condition_sets(cg, i: int, j: int, limit: int | None) -> set:
    """Subsets of the neighbours of ``i`` or of ``j`` with at most ``limit`` nodes."""
    sets: set = set()
    for node in (i, j):
        neighbours = [int(n) for n in cg.neighbors(node)]
        top = len(neighbours) if limit is None else min(limit, len(neighbours))
        for size in range(top + 1):
            sets.update(itertools.combinations(neighbours, size))
    return sets


_PROGRESS_SECONDS = 30.0  # a long step reports how far it is at most this often


def _definite_colliders(
    cg, alpha: float, limit: int | None, bk, target_node: int | None = None,
    log: Callable[..., None] | None = None,
) -> None:
    """causal-learn's definiteMaxP collider rule (priority 2) on conditioning sets of at
    most ``limit`` nodes (``None``: every subset of the neighbours, exponential).

    A collider ``x -> target <- z`` also needs ``x`` and ``z`` to be independent
    (``alpha``) given nothing: two causes of the label that nothing else joins. Children
    of the label are dependent through it, and without this check two children that
    share more than the label (a hidden cause, a path through other children) were read
    as its causes when some set of other measurements happened to separate them (see the
    module notes for what this costs two causes joined by a mediator).

    Only v-structures the tests back unambiguously are oriented. Measured on the 20-node
    SEMs: with the plain or maxP rule 1-3 of 8 children came out as parents of the target
    (a weak path a -> y -> x looks like a collider); with this rule 0-1.

    ``log`` (a progress report) is told the number of triples before, and how many are
    judged every :data:`_PROGRESS_SECONDS` (on a wide, dense skeleton this step can take
    longer than the skeleton).
    """
    nodes = cg.G.nodes
    colliders = []
    triples = [(x, y, z) for x, y, z in cg.find_unshielded_triples() if x < z]
    if log is not None:
        log("pc: judging %d unshielded triples for colliders (conditioning sets up to "
            "%s nodes)", len(triples), "any number of" if limit is None else limit)
    start = last = time.perf_counter()
    for done, (x, y, z) in enumerate(triples):
        if log is not None and time.perf_counter() - last > _PROGRESS_SECONDS:
            last = time.perf_counter()
            log("pc: colliders: %d of %d triples judged in %.0f s", done, len(triples),
                last - start)
        sets = _condition_sets(cg, x, z, limit)
        uc, nuc, max_with, max_without = True, True, 0.0, 0.0
        if y == target_node and cg.ci_test(x, z, ()) <= alpha:
            uc = False  # no collider at the target: the sets with it need no test
        for S in (S for S in sets if uc and y in S):
            p = cg.ci_test(x, z, S)
            if p > alpha:
                uc = False
                break
            max_with = max(max_with, p)
        for S in (S for S in sets if y not in S):
            p = cg.ci_test(x, z, S)
            if p > alpha:
                nuc = False
                if not uc:
                    break
            max_without = max(max_without, p)
        if uc and (not nuc or max_without > max_with):
            colliders.append((x, y, z))
        elif nuc:
            cg.definite_non_UC.append((x, y, z))
    for x, y, z in colliders:
        if bk is not None and (
            bk.is_forbidden(nodes[x], nodes[y]) or bk.is_forbidden(nodes[z], nodes[y])
            or bk.is_required(nodes[y], nodes[x]) or bk.is_required(nodes[y], nodes[z])
        ):
            continue
        if cg.is_fully_directed(y, x) or cg.is_fully_directed(y, z):
            continue
        for a in (x, z):
            _orient(cg, a, y)
        cg.definite_UC.append((x, y, z))


def _independent_of_target_point_in(
    cg, alpha: float, bk, target: int, limit: int | None = None,
    own_test: Callable[..., float] | None = None,
) -> list:
    """Orient ``w -> x`` wherever ``w`` is independent of the target given nothing, its
    neighbour ``x`` is not, and ``w`` depends on the target given ``x``, and then an
    undirected ``x - target`` (also where ``w -> x`` was already directed) as
    ``target -> x``; returns the edges oriented (see the module notes). ``limit`` bounds
    the conditioning sets, as in the collider step.

    Under faithfulness a node independent of the target shares no trek with it, so an
    edge ``x -> w`` from a node that does (a child of the target, a parent, a node
    dependent on it through either) cannot be: it would join ``w`` to the target. The
    dependence given ``x`` shows ``x`` to be their common effect; it is also required
    given ``x`` and ``w``'s other neighbours that are independent of the target, since
    a chain ``w -> c -> x`` that the skeleton kept as an edge ``w - x`` too shows
    dependence given ``x`` alone (conditioning on such nodes opens no path to the
    target). The orientation overrides colliders at ``w`` that tests given larger sets
    found (with the hidden causes of the children, two children can look separated given
    other children's values). An edge is left as it is where the orientation would
    close a directed cycle, where background knowledge forbids ``w -> x`` or requires
    ``x -> w``, and where ``x`` is a cause of the target found by a collider at it.

    A node depends on the target given nothing where it is adjacent to it or its test
    with the target given nothing has a p-value of at most ``alpha``; every other node is
    independent of it. Where the target's tests are read at another level,
    ``target_alpha`` (:class:`_TargetLevel` scales their p-values), ``own_test`` is the
    test it wraps, whose own p-value that judgement reads (``None``: ``cg.ci_test``):
    ``target_alpha`` is there to keep weak edges at the target, and read here it took the
    rule from a node independent of the target whose p-value fell between the two levels
    (see the module notes). The test given ``x`` stays at the target's level; read at
    ``alpha`` it missed true colliders. Where PC's skeleton separated ``w`` from the
    target given a set holding ``x`` (possible where ``w``'s p-value lies between the
    levels, so the edge went at a larger depth), that separation marks ``x`` as no
    collider and the rule leaves the pair alone: a grandchild of the target weakly
    dependent on it was otherwise read as a cause of two children.
    """
    nodes = cg.G.nodes
    dependent: dict = {}

    def depends(i: int) -> bool:  # on the target, given nothing
        if i not in dependent:
            p_value = (cg.ci_test if own_test is None else own_test)(i, target, ())
            dependent[i] = bool(cg.G.graph[i, target] != 0) or p_value <= alpha
        return dependent[i]

    oriented: list = []
    # Passes until nothing changes: an arrow x' -> w' that a later w' turns round can
    # block an earlier pair by the cycle check, so one pass would depend on the order
    # of the nodes. The rule only adds arrows out of nodes independent of the target
    # (and target -> x), never into them, so the passes end.
    while True:
        done = len(oriented)
        for w in range(len(nodes)):
            if w == target or depends(w):  # (adjacent to the target: dependent)
                continue
            for x in (int(n) for n in cg.neighbors(w)):
                if not depends(x) or cg.is_fully_directed(x, target):
                    continue  # a cause of the target found by a collider at it is kept
                if _separated_given(cg, w, target, x):
                    continue  # the skeleton's separating set holds x: no collider at x
                if not cg.is_fully_directed(w, x):  # (a collider at x may have oriented it)
                    others = [int(c) for c in cg.neighbors(w) if c != x and not depends(int(c))]
                    if any(cg.ci_test(w, target, given) > alpha
                           for given in _collider_sets(x, others, limit)):
                        continue
                    if _directed_path(cg, x, w) or bk is not None and (
                        bk.is_forbidden(nodes[w], nodes[x]) or bk.is_required(nodes[x], nodes[w])
                    ):
                        continue  # left as it is where it would close a cycle
                    _orient(cg, w, x)
                    oriented.append((w, x))
                # x -> target would make w a cause of the target: the edge points at x
                if cg.is_undirected(x, target) and not _directed_path(cg, x, target) and not (
                    bk is not None and (bk.is_forbidden(nodes[target], nodes[x])
                                        or bk.is_required(nodes[x], nodes[target]))
                ):
                    _orient(cg, target, x)
                    oriented.append((target, x))
        if len(oriented) == done:
            break
    if oriented:  # colliders at w through x no longer stand
        turned = {(x, w) for w, x in oriented}
        cg.definite_UC = [(a, b, c) for a, b, c in cg.definite_UC
                          if (a, b) not in turned and (c, b) not in turned]
    return oriented


def _separated_given(cg, a: int, b: int, x: int) -> bool:
    """Whether PC's skeleton removed the edge ``a - b`` given a set holding ``x``."""
    for key in ((a, b), (b, a)):
        if any(x in S for S in (cg.sepset[key] or ())):
            return True
    return False


def _collider_sets(x: int, others: list, limit: int | None) -> set:
    """The sets given which :func:`_independent_of_target_point_in` needs ``w`` and the
    target dependent: ``x`` alone and ``x`` with all of ``others`` (``w``'s neighbours
    independent of the target, each of which can carry a chain ``w -> c -> x``); where
    that is more than ``limit`` nodes (``None``: no limit), ``x`` with each of them."""
    if limit is None or len(others) + 1 <= limit:
        return {(x,), (x, *others)}
    return {(x,), *((x, c) for c in others if limit >= 2)}


def _directed_path(cg, a: int, b: int) -> bool:
    """Whether causal-learn's graph holds a directed path ``a -> ... -> b`` other than a
    direct edge ``a -> b``: orienting the edge between them ``b -> a`` would close a
    cycle."""
    marks = cg.G.graph  # i -> j: marks[i, j] == -1 (tail) and marks[j, i] == 1 (arrow)
    directed = (marks == -1) & (marks.T == 1)
    directed[a, b] = directed[b, a] = False
    seen, stack = {a}, [a]
    while stack:
        for j in np.flatnonzero(directed[stack.pop()]):
            if j == b:
                return True
            if j not in seen:
                seen.add(int(j))
                stack.append(int(j))
    return False


def _orient(cg, a: int, b: int) -> None:
    """Make the edge between nodes ``a`` and ``b`` of causal-learn's graph ``a -> b``."""
    from causallearn.graph.Edge import Edge
    from causallearn.graph.Endpoint import Endpoint

    nodes = cg.G.nodes
    edge = cg.G.get_edge(nodes[a], nodes[b])
    if edge is not None:
        cg.G.remove_edge(edge)
    cg.G.add_edge(Edge(nodes[a], nodes[b], Endpoint.TAIL, Endpoint.ARROW))


def _indicator_data(encoded: _Encoded) -> tuple[np.ndarray, list]:
    """One column per feature, the categorical nodes split into their indicator columns."""
    columns, node_of = [], []
    for i, block in enumerate(encoded.blocks):
        if encoded.categorical[i]:
            for j in block:
                columns.append(encoded.expanded[:, j])
                node_of.append(i)
        else:
            columns.append(encoded.data[:, i])
            node_of.append(i)
    return np.column_stack(columns), node_of


def _merge_indicators(marks: np.ndarray, node_of: list, n_nodes: int) -> np.ndarray:
    """Collapse indicator nodes: adjacent if any indicator is; an arrowhead kept only if
    every indicator edge agrees on it (else the mark becomes a tail: undirected)."""
    merged = np.zeros((n_nodes, n_nodes), dtype=int)
    seen: dict = {}
    for i in range(len(node_of)):
        for j in range(len(node_of)):
            a, b = node_of[i], node_of[j]
            if a == b or marks[i, j] == 0:
                continue
            seen.setdefault((a, b), set()).add(int(marks[i, j]))
    for (a, b), kinds in seen.items():
        merged[a, b] = kinds.pop() if len(kinds) == 1 else _TAIL
    # Adjacency must be symmetric; a missing mark becomes a tail.
    for a, b in list(seen):
        if merged[b, a] == 0:
            merged[b, a] = _TAIL
    return merged


def _run_ges(frame, labels, target, names, knowledge, normal_scores=False) -> np.ndarray:
    from causallearn.search.ScoreBased.GES import ges

    encoded = _encode(frame, labels, target, basis=False, normal_scores=normal_scores)
    data, node_of = _indicator_data(encoded)
    data = (data - data.mean(axis=0)) / np.where(data.std(axis=0) > 0, data.std(axis=0), 1.0)
    with _causal_learn_call():
        record = ges(data, score_func="local_score_BIC")
    marks = np.asarray(record["G"].graph)
    if any(knowledge.values()):
        logger.info(
            "ges: causal-learn's GES takes no background knowledge; it is applied to the result"
        )
    return _merge_indicators(marks, node_of, len(names))


# ------------------------------------------------------------- marks -> DAG (the rules)
def _to_dag(marks: np.ndarray, names: list, knowledge: dict) -> tuple[nx.DiGraph, int]:
    """Turn causal-learn's endpoint matrix into a DAG with the rules of the module notes.

    ``marks[i, j]`` is the mark at node ``i`` of the edge ``i - j``: -1 tail, 1 arrow,
    2 circle, 0 no edge; the target is the last of ``names``. Returns the DAG and how
    many edges the search and the background knowledge left undirected, which the rules
    oriented.
    """
    t = len(names) - 1
    directed: set = set()
    undirected: set = set()
    bidirected: set = set()
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            mi, mj = int(marks[i, j]), int(marks[j, i])
            if mi == 0 and mj == 0:
                continue
            if mj == _ARROW and mi != _ARROW:  # i -> j or i o-> j
                directed.add((i, j))
            elif mi == _ARROW and mj != _ARROW:
                directed.add((j, i))
            elif mi == _ARROW and mj == _ARROW:  # i <-> j
                if t in (i, j):
                    directed.add((t, j if i == t else i))
                else:
                    bidirected.add((i, j))
            else:  # tails and circles: undirected
                undirected.add(frozenset((i, j)))
    # undirected edges that background knowledge orients (GES and the indicator test
    # apply it only after discovery) are directed first, so no rule orients them otherwise
    required = set(knowledge["required"])
    forbidden = set(knowledge["forbidden"]) | _forbidden_by_tiers(knowledge)
    for edge in sorted(undirected, key=sorted):
        a, b = sorted(edge)
        u, v = names[a], names[b]
        if (u, v) in required or ((v, u) in forbidden and (u, v) not in forbidden):
            directed.add((a, b))
        elif (v, u) in required or ((u, v) in forbidden and (v, u) not in forbidden):
            directed.add((b, a))
        else:
            continue
        undirected.discard(edge)
    n_rule = len(undirected)
    # Rule 1: undirected edges at the target point away from it, except from a node with
    # a directed path to the target already (away, the edge would close a cycle)
    reach = nx.DiGraph(list(directed))
    reach.add_nodes_from(range(len(names)))
    for edge in sorted((e for e in undirected if t in e), key=sorted):
        (other,) = edge - {t}
        arrow = (other, t) if nx.has_path(reach, other, t) else (t, other)
        directed.add(arrow)
        reach.add_edge(*arrow)
        undirected.discard(edge)
    children = {j for i, j in directed if i == t}
    for i, j in sorted(bidirected):
        if (i in children) != (j in children):
            directed.add((j, i) if i in children else (i, j))
        else:
            logger.debug("dropping bidirected edge %r <-> %r", names[i], names[j])
    extension, by_order = _consistent_extension(len(names), directed, undirected)
    directed |= extension

    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    for i, j in sorted(directed):
        u, v = names[i], names[j]
        if (u, v) in forbidden:
            if (v, u) not in forbidden and not graph.has_edge(v, u):
                graph.add_edge(v, u)
            continue
        if (v, u) in required:
            graph.add_edge(v, u)
            continue
        graph.add_edge(u, v)
    for u, v in knowledge["required"]:
        if graph.has_edge(v, u):
            graph.remove_edge(v, u)
        graph.add_edge(u, v)
    if not nx.is_directed_acyclic_graph(graph):
        _break_cycles(graph, required, names[t], forbidden)
    _warn_arbitrary(graph, [(names[a], names[b]) for a, b in sorted(by_order)],
                    required | forbidden)
    return graph, n_rule


def _warn_arbitrary(graph: nx.DiGraph, arbitrary: list, decided: set) -> None:
    """Warn of the ``arbitrary`` edges (oriented along the node order: no orientation of
    their component avoided a v-structure the tests did not find) that are still in
    ``graph`` and that background knowledge (``decided`` pairs) did not orient, in their
    final direction."""
    shown = []
    for u, v in arbitrary:
        if {(u, v), (v, u)} & decided:
            continue
        if graph.has_edge(u, v) or graph.has_edge(v, u):
            shown.append(f"{u!r} -> {v!r}" if graph.has_edge(u, v) else f"{v!r} -> {u!r}")
    if shown:
        warn_user(
            f"discovery: the edges found admit no orientation without a v-structure the "
            f"tests did not find (their results conflict), so {len(shown)} edges were "
            f"oriented in an arbitrary order of the columns: {', '.join(shown[:8])}"
            f"{', ...' if len(shown) > 8 else ''}. Treat their direction as unknown: check "
            "them, or give it as background knowledge (required or forbidden edges, tiers).",
            UserWarning,
        )


def _consistent_extension(n: int, directed: set, undirected: set) -> tuple[set, set]:
    """Orient ``undirected`` without new v-structures or cycles (Dor and Tarsi, 1992).

    Repeatedly removes a node with no outgoing directed edge whose undirected neighbours are
    adjacent to all its other neighbours, orienting its undirected edges into it. If the
    graph admits no consistent extension (finite-sample conflicts), the rest is oriented
    along the node order without creating cycles. Returns the oriented edges, and those
    of them oriented by the node order (for the caller's warning).
    """
    out: set = set()
    by_order: set = set()
    alive = set(range(n))
    dir_ = set(directed)
    und = {tuple(sorted(e)) for e in undirected}

    def adjacent(a: int, b: int) -> bool:
        return (a, b) in dir_ or (b, a) in dir_ or tuple(sorted((a, b))) in und

    while und:
        progress = False
        for x in sorted(alive):
            if any(a == x and b in alive for a, b in dir_):
                continue  # x has an outgoing directed edge: not a sink
            und_nb = [b if a == x else a for a, b in und if x in (a, b)]
            nbrs = [v for v in alive if v != x and adjacent(x, v)]
            if all(adjacent(u, v) for u in und_nb for v in nbrs if v != u):
                for u in und_nb:
                    out.add((u, x))
                    dir_.add((u, x))
                und = {e for e in und if x not in e}
                alive.discard(x)
                progress = True
                break
        if not progress:
            logger.debug("no consistent extension; orienting %d edges by node order", len(und))
            order = _order_respecting(n, dir_)
            by_order = {(a, b) if order[a] < order[b] else (b, a) for a, b in und}
            out |= by_order
            break
    return out, by_order


def _order_respecting(n: int, directed: set) -> dict:
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(directed)
    if not nx.is_directed_acyclic_graph(g):
        return {i: i for i in range(n)}
    return {v: k for k, v in enumerate(nx.lexicographical_topological_sort(g))}


def _cycle_path(cycle: list) -> str:
    """A cycle's edges ``[(u, v), ...]`` as the path ``'a' -> 'b' -> 'a'``."""
    return " -> ".join(repr(edge[0]) for edge in cycle) + f" -> {cycle[0][0]!r}"


_CHANGES_SHOWN = 5  # changes of _break_cycles named in its warning


def _break_cycles(
    graph: nx.DiGraph, keep: set, target: Hashable, forbidden: set = frozenset()
) -> None:
    """Make ``graph`` a DAG, one cycle at a time, with one warning for all the changes.

    A cycle loses one of its edges that is not required, preferably one away from the
    target (an edge at the target makes a parent or a child, which the model needs
    most). An edge at the target is reversed instead, where that closes no cycle and is
    not forbidden, when the cycle has no other edge to lose or when an earlier cycle
    ran through it too: its adjacency is what the tests found, its direction is what
    clashes, and removing one more edge for every cycle through it would cost many
    right edges. ``graph.graph["cycles_broken"]`` keeps every change as text.
    """
    changes: list[str] = []
    seen_at_target: dict = {}
    while True:
        try:
            cycle = [tuple(e[:2]) for e in nx.find_cycle(graph)]
        except nx.NetworkXNoCycle:
            break
        free = [e for e in cycle if e not in keep]
        away = [e for e in free if target not in e]
        at_target = [e for e in free if target in e]
        for edge in at_target:
            seen_at_target[edge] = seen_at_target.get(edge, 0) + 1
        flip = next((e for e in at_target if (seen_at_target[e] > 1 or not away)
                     and _reversible(graph, e, forbidden)), None)
        if flip is not None:
            changes.append(f"{flip[0]!r} -> {flip[1]!r} reversed")
            continue
        u, v = (away or free or cycle)[0]
        graph.remove_edge(u, v)
        changes.append(f"{u!r} -> {v!r} removed")
    if changes:
        graph.graph["cycles_broken"] = "; ".join(changes)
        more = (f", and {len(changes) - _CHANGES_SHOWN} more (all in the graph's "
                "'cycles_broken' attribute, which GML, GraphML and JSON files keep)"
                ) if len(changes) > _CHANGES_SHOWN else ""
        warn_user(
            f"discovery left cycles; to make the graph a DAG, {len(changes)} edge(s) "
            f"changed, one per cycle: {', '.join(changes[:_CHANGES_SHOWN])}{more}. "
            "Background knowledge (required, forbidden or tiers) decides such edges "
            "where you know them.",
            UserWarning,
        )


def _reversible(graph: nx.DiGraph, edge: tuple, forbidden: set) -> bool:
    """Reverse ``edge`` of ``graph`` in place and return True, where the reversed edge is
    not forbidden and closes no cycle; else leave the graph as it is and return False."""
    u, v = edge
    if (v, u) in forbidden or graph.has_edge(v, u):  # (a 2-cycle: reversing is removing)
        return False
    graph.remove_edge(u, v)
    if nx.has_path(graph, u, v):  # another path u -> ... -> v: v -> u would close it
        graph.add_edge(u, v)
        return False
    graph.add_edge(v, u)
    return True


def _bar_wanted(verbose: int, progress: bool | None) -> bool:
    """Whether causal-learn draws its progress bar: ``progress`` where given, else with
    ``verbose`` in a terminal or a notebook."""
    if progress is not None:
        return bool(progress)
    return bool(verbose) and interactive()


# -------------------------------------------------------------------- estimator glue
def resolve_graph_spec(
    spec: GraphLike | None,
    X: pd.DataFrame,
    y: np.ndarray,
    target: Hashable | None,
    *,
    random_state: int | np.random.RandomState | None = None,
    verbose: int = 0,
    sample_weight: np.ndarray | None = None,
    discovery_params: Mapping | None = None,
) -> tuple[nx.DiGraph, Hashable]:
    """Turn a ``graph=`` value of :class:`~skcama.CAMAClassifier` into ``(DiGraph, target)``.

    Parameters
    ----------
    spec : networkx.DiGraph, dict, str, pathlib.Path or None
        A graph, a dict of parent lists, a path to a graph file (a string with a known
        file extension or naming an existing file, or a :class:`pathlib.Path`), a method
        name of :data:`METHODS` (discovery on ``X`` and ``y``), or ``None`` (every column
        a child of the target).
    X : pandas.DataFrame
        The training features.
    y : numpy.ndarray
        The training labels.
    target : hashable or None
        The target's node name. ``None``: ``"y"`` for ``None`` and a method name (where a
        column of ``X`` is called ``y``, ``"target"``, then ``"y_0"``, ``"y_1"``, ...: a
        column ``y`` holding the labels themselves is refused); for a given graph, the one
        node that is not a column of ``X``.
    random_state : int, RandomState instance or None, default=None
        Passed to :func:`discover_graph`.
    verbose : int, default=0
        Passed to :func:`discover_graph`.
    sample_weight : numpy.ndarray or None, default=None
        The fit's row weights, passed to :func:`discover_graph`. GES and the tests other
        than the block-lrt ones take no row weights: there they are ignored in
        discovery, with a warning.
    discovery_params : mapping or None, default=None
        Further keyword arguments of :func:`discover_graph` for a method name (see
        :data:`DISCOVERY_PARAMS`); unused for any other ``spec``.

    Returns
    -------
    graph : networkx.DiGraph
    target : hashable

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"u": [0.0, 1.0], "v": [1.0, 0.0]})
    >>> graph, target = resolve_graph_spec(None, X, np.array([0, 1]), None)
    >>> target, sorted(graph.edges())
    ('y', [('y', 'u'), ('y', 'v')])
    >>> graph, target = resolve_graph_spec({"v": ["label"]}, X, np.array([0, 1]), None)
    >>> target
    'label'
    """
    columns = list(X.columns)
    if spec is None:
        target = _unnamed_target(columns, X, y) if target is None else target
        if target in columns:
            raise GraphError(
                f"the target {target!r} is also a column of X; with graph=None every column is "
                "a child of the target. Drop that column from X or set target= to another name."
            )
        return all_children_graph(columns, target), target
    if is_discovery_method(spec):
        target = _unnamed_target(columns, X, y) if target is None else target
        method = spec.strip().lower()
        params = check_discovery_params(discovery_params)
        test = params.get("test", _DEFAULTS["test"])
        if sample_weight is not None and not _takes_row_weights(method, test):
            # as GES: the fit alone is weighted
            why = ("GES's score takes no row weights" if method == "ges" else
                   f"discovery_params['test']={test!r} takes no row weights; the block-lrt "
                   "tests do")
            warn_user(
                f"graph={spec!r} discovers the graph without sample_weight ({why}); the "
                "model itself is fitted with them. Use graph='pc' with the default test "
                "for a weighted discovery."
            )
            sample_weight = None
        graph = discover_graph(
            X, y, target=target, method=method, sample_weight=sample_weight,
            random_state=random_state, verbose=verbose, **params,
        )
        return graph, target
    return resolve_given_graph(spec, columns, target)
