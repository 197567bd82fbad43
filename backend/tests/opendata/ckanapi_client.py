"""Drives silkbridge's CKAN Action API with the unmodified PyPI client `ckanapi`.

Usage: ckanapi_client.py BASE_URL API_TOKEN ORGANISATION CSV_FILE
Prints one JSON object with what each step saw; the Rust test checks it.
"""
import json
import sys

import ckanapi

base, token, organisation, csv_path = sys.argv[1:5]
anonymous = ckanapi.RemoteCKAN(base)
editor = ckanapi.RemoteCKAN(base, apikey=token)
seen = {}

seen["status"] = anonymous.action.status_show()["ckan_version"]
seen["list_before"] = anonymous.action.package_list()

created = editor.action.package_create(
    name="ckanapi-made-dataset",
    title="Dataset made by ckanapi",
    notes="Created through the CKAN Action API by the ckanapi client.",
    owner_org=organisation,
    license_id="cc-by",
    tags=[{"name": "ckanapi"}, {"name": "statistika"}],
    groups=[{"name": "econ"}],
    extras=[{"key": "source", "value": "ckanapi test"}],
)
seen["created"] = {k: created[k] for k in ("id", "name", "license_id", "owner_org", "state")}
seen["created_tags"] = sorted(t["name"] for t in created["tags"])

try:
    editor.action.package_create(name="ckanapi-made-dataset", title="Again", owner_org=organisation)
    seen["duplicate"] = "accepted"
except ckanapi.ValidationError as error:
    seen["duplicate"] = sorted(k for k in error.error_dict if not k.startswith("__"))

try:
    anonymous.action.package_create(name="anonymous-attempt", title="No", owner_org=organisation)
    seen["anonymous_create"] = "accepted"
except ckanapi.NotAuthorized:
    seen["anonymous_create"] = "NotAuthorized"

with open(csv_path, "rb") as upload:
    resource = editor.action.resource_create(
        package_id=created["id"], name="Regions", format="CSV", upload=upload
    )
seen["resource"] = {
    "format": resource["format"],
    "size": resource["size"],
    "hash": resource["hash"],
    "url_type": resource["url_type"],
    "url": resource["url"],
    "preview_columns": [c["name"] for c in resource["preview"]["columns"]],
}
seen["resource_show"] = anonymous.action.resource_show(id=resource["id"])["id"] == resource["id"]

patched = editor.action.package_patch(id=created["id"], title="Dataset patched by ckanapi", version="2")
seen["patched"] = {
    "title": patched["title"],
    "version": patched["version"],
    "notes_kept": patched["notes"] == created["notes"],
    "tags_kept": sorted(t["name"] for t in patched["tags"]),
    "resources": len(patched["resources"]),
}
shown = anonymous.action.package_show(id="ckanapi-made-dataset")
seen["shown_title"] = shown["title"]

found = anonymous.action.package_search(
    q="statistika", fq="organization:" + organisation, facet="true",
    **{"facet.field": json.dumps(["tags", "organization", "res_format", "groups"])}, rows=50
)
seen["search"] = {
    "count": found["count"],
    "names": [r["name"] for r in found["results"]],
    "tag_facet": found["facets"].get("tags", {}),
    "format_facet": found["facets"].get("res_format", {}),
    "search_facets": sorted(found["search_facets"].keys()),
}
try:
    anonymous.action.package_search(fq="colour:red")
    seen["bad_query"] = "accepted"
except ckanapi.SearchQueryError:
    seen["bad_query"] = "SearchQueryError"

seen["organizations"] = anonymous.action.organization_list()
seen["groups"] = anonymous.action.group_list()
seen["licenses"] = [l["id"] for l in anonymous.action.license_list()]
seen["tags"] = anonymous.action.tag_list()

editor.action.package_delete(id=created["id"])
try:
    anonymous.action.package_show(id=created["id"])
    seen["after_delete"] = "still visible"
except ckanapi.NotFound:
    seen["after_delete"] = "NotFound"
seen["list_after"] = anonymous.action.package_list()
print(json.dumps(seen))
