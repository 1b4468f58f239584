"""Answers to one question about the resolved graph: why a test gets a fixture, its closure as a
tree, which tests use a fixture.

Everything here reads a :class:`~fixture_graph.model.ScanResult` and its
:class:`~fixture_graph.model.Resolution` and returns frozen records; the text renderers live in
:mod:`fixture_graph.render.questions` and the commands in :mod:`fixture_graph.cli.query_cmd`.
"""
