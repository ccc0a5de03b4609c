#!/usr/bin/env python3
"""Creates (or finds) what Imago's Keystone tests need, through Keystone's v3 API; idempotent.

Called by start-test-keystone.sh after `keystone-manage bootstrap` (which made the admin user,
the admin project and the admin/member/reader roles). Standard library only. Writes a JSON file
describing everything (URLs, ids, names, passwords) for the tests to read.
"""
import argparse
import json
import urllib.error
import urllib.request

PASSWORD = "test-secret"
# Glance's unified limits (MiB for sizes), registered defaults and the overrides of project imago-a.
REGISTERED_LIMITS = {"image_size_total": 1000, "image_stage_total": 1000, "image_count_total": 100,
                     "image_count_uploading": 10}
PROJECT_A_LIMITS = {"image_size_total": 50, "image_count_total": 5}


class Keystone:
    def __init__(self, url):
        self.url = url.rstrip("/")
        self.token = None

    def call(self, method, path, body=None, token=None, ok=(200, 201, 204)):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token or self.token:
            req.add_header("X-Auth-Token", token or self.token)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                text = resp.read()
                return resp.status, dict(resp.headers), json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            if e.code in ok:
                return e.code, dict(e.headers), None
            raise RuntimeError("%s %s -> %s %s" % (method, path, e.code, e.read()[:500])) from None

    def login(self, user, password, scope):
        body = {"auth": {"identity": {"methods": ["password"], "password": {
            "user": {"name": user, "domain": {"id": "default"}, "password": password}}}, "scope": scope}}
        _, headers, _ = self.call("POST", "/auth/tokens", body)
        self.token = headers.get("X-Subject-Token") or headers.get("x-subject-token")

    def find(self, collection, key, **query):
        qs = "&".join("%s=%s" % (k, v) for k, v in query.items())
        _, _, body = self.call("GET", "/%s?%s" % (collection, qs))
        return body[key]

    def ensure(self, collection, singular, match, create):
        found = self.find(collection, collection.split("/")[-1], **match)
        if found:
            return found[0]
        _, _, body = self.call("POST", "/" + collection, {singular: create})
        return body[singular]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--short-url", required=True)
    ap.add_argument("--short-expiration", type=int, required=True)
    ap.add_argument("--admin-password", required=True)
    ap.add_argument("--image-url", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    ks = Keystone(a.url)
    # System scope: registered limits are a system admin's business.
    ks.login("admin", a.admin_password, {"system": {"all": True}})

    roles = {r: ks.ensure("roles", "role", {"name": r}, {"name": r})["id"]
             for r in ("admin", "member", "reader", "service")}

    def project(name):
        return ks.ensure("projects", "project", {"name": name, "domain_id": "default"},
                         {"name": name, "domain_id": "default", "description": "Imago tests"})["id"]

    def user(name, project_id):
        u = ks.ensure("users", "user", {"name": name, "domain_id": "default"},
                      {"name": name, "domain_id": "default", "password": PASSWORD, "default_project_id": project_id})
        return u["id"]

    def grant(project_id, user_id, role):
        ks.call("PUT", "/projects/%s/users/%s/roles/%s" % (project_id, user_id, roles[role]))

    out = {"url": a.url, "short_url": a.short_url, "short_expiration_seconds": a.short_expiration,
           "domain": "Default", "admin": {"user": "admin", "password": a.admin_password, "project": "admin"},
           "users": {}, "projects": {}}

    service_project = project("service")
    out["projects"]["service"] = service_project
    # Imago's own service user: `service` lets it validate tokens (identity:validate_token), a
    # system `reader` assignment lets it read every project's limits (oslo.limit does the same).
    imago = user("imago", service_project)
    grant(service_project, imago, "service")
    ks.call("PUT", "/system/users/%s/roles/%s" % (imago, roles["reader"]))
    out["service_user"] = {"user": "imago", "password": PASSWORD, "project": "service", "id": imago}
    # Another service (think Nova) sending X-Service-Token.
    nova = user("nova", service_project)
    grant(service_project, nova, "service")
    out["users"]["nova"] = {"password": PASSWORD, "project": "service", "id": nova, "roles": ["service"]}

    for p in ("a", "b"):
        pid = project("imago-" + p)
        out["projects"]["imago-" + p] = pid
        for role in ("member", "reader"):
            name = "%s-%s" % (p, role)
            uid = user(name, pid)
            grant(pid, uid, role)
            if role == "member":
                grant(pid, uid, "reader")  # as Keystone's implied roles would; explicit here
            out["users"][name] = {"password": PASSWORD, "project": "imago-" + p, "id": uid, "roles": [role]}

    image = ks.ensure("services", "service", {"type": "image"}, {"type": "image", "name": "glance",
                                                                  "description": "Imago (Image API v2)"})
    out["image_service_id"] = image["id"]
    endpoints = ks.find("endpoints", "endpoints", service_id=image["id"], interface="public")
    if endpoints:
        endpoint = endpoints[0]
        if endpoint["url"] != a.image_url:
            ks.call("PATCH", "/endpoints/" + endpoint["id"], {"endpoint": {"url": a.image_url}})
    else:
        endpoint = ks.call("POST", "/endpoints", {"endpoint": {
            "service_id": image["id"], "interface": "public", "url": a.image_url, "region_id": "RegionOne"}})[2]["endpoint"]
    out["image_endpoint_id"] = endpoint["id"]

    existing = {r["resource_name"] for r in ks.find("registered_limits", "registered_limits", service_id=image["id"])}
    missing = [{"service_id": image["id"], "resource_name": n, "default_limit": v}
               for n, v in REGISTERED_LIMITS.items() if n not in existing]
    if missing:
        ks.call("POST", "/registered_limits", {"registered_limits": missing})
    project_a = out["projects"]["imago-a"]
    existing = {r["resource_name"] for r in ks.find("limits", "limits", service_id=image["id"], project_id=project_a)}
    missing = [{"service_id": image["id"], "project_id": project_a, "resource_name": n, "resource_limit": v}
               for n, v in PROJECT_A_LIMITS.items() if n not in existing]
    if missing:
        ks.call("POST", "/limits", {"limits": missing})
    out["registered_limits"] = REGISTERED_LIMITS
    out["project_limits"] = {"imago-a": PROJECT_A_LIMITS}

    with open(a.out + ".tmp", "w") as f:
        json.dump(out, f, indent=2, sort_keys=True)
    import os
    os.replace(a.out + ".tmp", a.out)


if __name__ == "__main__":
    main()
