"""Where actors stand: a codebook of concepts, agreement coded from each quote's own words, and the
discourse networks of Leifeld's Discourse Network Analyzer (affiliation, congruence, conflict).

codebook.py reads the YAML codebook; agreement.py finds the concepts a quote speaks to and the side it
takes; graphs.py builds and writes the networks. The coding is stored by corpus/positions.py.
"""
