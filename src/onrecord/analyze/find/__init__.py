"""Finders: each proposes Candidates (analyze/candidate.py) from one view of an article.

- parse_rules.py: cue words in the dependency parse, with their sources and contents;
- layout.py: what the page's layout says: transcript turns, headlines, quotations signed with a dash;
- model.py: the learned model's content, cue and source spans.
"""
