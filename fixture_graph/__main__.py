from fixture_graph.cli import main

main(prog_name="fixture-graph")
