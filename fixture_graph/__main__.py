from fixture_graph.cli import main

main()
