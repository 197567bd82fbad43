"""Reads silkbridge's DCAT-AP catalogue with an independent RDF parser (PyPI `rdflib`).

Usage: dcat_check.py BASE_URL FORMAT    (FORMAT: ttl or jsonld)
Follows hydra:nextPage through every page; prints the dcat:Dataset identifiers found and
facts about them as JSON.
"""
import json
import sys
import urllib.request

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
base, fmt = sys.argv[1], sys.argv[2]
parser = {"ttl": "turtle", "jsonld": "json-ld"}[fmt]
url = f"{base}/catalog.{fmt}?page=1"
pages, datasets, distributions, titles, themes, licences, catalogs = 0, [], 0, {}, set(), set(), 0
while url:
    with urllib.request.urlopen(url) as response:
        body = response.read()
    graph = Graph()
    graph.parse(data=body, format=parser)
    pages += 1
    catalogs += len(list(graph.subjects(RDF.type, DCAT.Catalog)))
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        identifier = str(graph.value(dataset, DCTERMS.identifier))
        datasets.append(identifier)
        titles[identifier] = sorted(f"{t.language}:{t}" for t in graph.objects(dataset, DCTERMS.title))
        themes.update(str(t) for t in graph.objects(dataset, DCAT.theme))
        for distribution in graph.objects(dataset, DCAT.distribution):
            assert (distribution, RDF.type, DCAT.Distribution) in graph
            distributions += 1
            licences.update(str(l) for l in graph.objects(distribution, DCTERMS.license))
    next_page = None
    for paging in graph.subjects(RDF.type, HYDRA.PagedCollection):
        value = graph.value(paging, HYDRA.nextPage)
        next_page = str(value) if value is not None else None
    url = next_page
print(json.dumps({
    "pages": pages,
    "catalogs": catalogs,
    "datasets": datasets,
    "distributions": distributions,
    "titles": titles,
    "themes": sorted(themes),
    "licences": sorted(licences),
}))
