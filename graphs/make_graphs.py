"""Write the graph of the bundled example SEM in every supported format.

    python graphs/make_graphs.py

The graph is ``skcama.datasets.SyntheticSEM(random_state=0).graph`` (target ``"y"``):
``make_sem(n, random_state=0)`` samples data from the same model.
"""

from pathlib import Path

from skcama.datasets import SyntheticSEM
from skcama.graph import write_graph

HERE = Path(__file__).parent


def main() -> None:
    graph = SyntheticSEM(random_state=0).graph
    for suffix in (".gml", ".graphml", ".dot", ".json", ".csv"):
        path = HERE / f"sem_example{suffix}"
        write_graph(graph, path)
        print(f"wrote {path}")
    marked = graph.copy()  # DAGitty marks the outcome, which fit then takes as the target
    marked.nodes["y"]["outcome"] = True
    write_graph(marked, HERE / "sem_example.dagitty")
    print(f"wrote {HERE / 'sem_example.dagitty'}")


if __name__ == "__main__":
    main()
