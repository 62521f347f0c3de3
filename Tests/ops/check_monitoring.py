#!/usr/bin/env python3
"""Checks for config/monitoring (alerts, ServiceMonitor, dashboard), used by test-ops.sh.

promtool checks that expressions parse and that alerts fire when they should;
this checks what it cannot: that every metric an expression uses is one the
webhook really exports, that label values are the documented ones, that
every alert has its runbook in the README, that the dashboard is complete,
and that the prometheus-operator objects have the shape of their CRDs and
agree with the Service, the rules file and each other.

Each check prints one line, "ok   - what" or "FAIL - what: why" (check() of
check_manifests.py); test-ops.sh counts them. The exit status is 1 when any
check failed.

Usage:
  check_monitoring.py dashboard-rules DASHBOARD_JSON OUT_RULES
  check_monitoring.py metrics METRICS_PAGE CATALOG_SWIFT RULES DASHBOARD_JSON
  check_monitoring.py alerts RULES README
  check_monitoring.py objects RENDERED_YAML RULES DASHBOARD_JSON PROMETHEUS_EXAMPLE
  check_monitoring.py crd-schema RENDERED_YAML     (needs cloudcoil-models-prometheus-operator)
"""

import json
import re
import sys

import yaml

from check_manifests import check, find, load_all, selects
import check_manifests

# Rows the dashboard must have (README "Monitoring" describes them).
DASHBOARD_ROWS = ["Admissions", "Latency", "Profile", "Selectors", "Certificate", "Process"]
# Grafana's own variables, replaced by a representative value before promtool sees an expression.
GRAFANA_VARIABLES = {"$__rate_interval": "2m", "$__range": "6h", "$__interval": "30s"}
# Series Prometheus makes itself for every target; they are not on the webhook's page.
PROMETHEUS_SERIES = {"up"}
# Labels Prometheus gives every series of a target (prometheus-operator: all four; plain: job, instance).
TARGET_LABELS = {"job", "instance", "namespace", "pod"}
# The job every rule and panel expects (the ServiceMonitor's jobLabel, prometheus.example.yml's job_name).
JOB = "eci-profile"
SEVERITIES = {"info", "warning", "critical"}

# Which catalog constant (Sources/Observability/WebhookMetrics+Catalog.swift) bounds which label.
BOUNDED_LABELS = {
    "eci_profile_admission_requests_total": {"operation": "operation", "result": "admissionResult"},
    "eci_profile_http_requests_total": {"path": "path", "protocol": "httpProtocol"},
    "eci_profile_profile_reloads_total": {"source": "reloadSource", "result": "reloadResult"},
}
# Labels whose values are listed in the metric's help text instead: (catalog constant, label).
HELP_LISTED_LABELS = {"eci_profile_tls_reloads_total": ("tlsReloads", "result")}

PROMQL_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                   "and", "or", "unless", "offset", "atan2", "inf", "nan"}


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# --- PromQL ----------------------------------------------------------------

STRING = r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\''
IDENT = r"[A-Za-z_:][A-Za-z0-9_:]*"


def selectors(expr):
    """The vector selectors of a PromQL expression: [(metric name, [(label, op, value)])].

    Function names, keywords, label names in groupings, durations and numbers
    are not metric names. promtool has already parsed every expression this
    sees, so the expression is well formed.
    """
    found = []
    # Matchers first (their strings may hold anything), keyed by the name before them.
    def take_matchers(m):
        name = m.group(1) or ""
        matchers = re.findall(r'(' + IDENT + r')\s*(=~|!~|!=|=)\s*(' + STRING + r')', m.group(2))
        found.append((name, [(l, op, v[1:-1]) for l, op, v in matchers]))
        return " "
    text = re.sub(r'(' + IDENT + r')?\s*\{((?:' + STRING + r'|[^}"\'])*)\}', take_matchers, expr)
    text = re.sub(STRING, " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\boffset\s+\S+", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"(?<![A-Za-z_:])\d+(\.\d+)?([eE][+-]?\d+)?", " ", text)
    for m in re.finditer(IDENT, text):
        if m.group(0).lower() in PROMQL_KEYWORDS or text[m.end():].lstrip().startswith("("):
            continue
        found.append((m.group(0), []))
    return [(name, matchers) for name, matchers in found if name]


def rule_expressions(rules):
    for group in rules["groups"]:
        for rule in group["rules"]:
            yield rule.get("alert") or rule.get("record"), rule["expr"]


def dashboard_panels(dashboard):
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


def dashboard_expressions(dashboard):
    for panel in dashboard_panels(dashboard):
        for target in panel.get("targets", []):
            expr = target["expr"]
            for variable, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(variable, value)
            yield f'panel {panel["id"]} "{panel["title"]}" {target["refId"]}', expr


# --- subcommands -------------------------------------------------------------

def dashboard_rules(dashboard_path, out_path):
    """Checks the dashboard's layout and writes each panel query as a recording rule for promtool."""
    dashboard = load_json(dashboard_path)
    panels = dashboard["panels"]
    rows = [p["title"] for p in panels if p["type"] == "row"]
    check(f"dashboard rows are {DASHBOARD_ROWS}", rows == DASHBOARD_ROWS, f"rows {rows}")
    ids = [p["id"] for p in dashboard_panels(dashboard)]
    check("dashboard panel ids are unique", len(ids) == len(set(ids)), f"ids {ids}")
    variables = [v["name"] for v in dashboard["templating"]["list"]]
    check("dashboard has a Prometheus data source variable",
          any(v["name"] == "datasource" and v["type"] == "datasource" and v["query"] == "prometheus"
              for v in dashboard["templating"]["list"]), f"variables {variables}")
    queries = [p for p in dashboard_panels(dashboard) if p["type"] != "row"]
    empty = [p["title"] for p in queries if not p.get("targets")]
    check(f"every one of the {len(queries)} panels has a query", not empty, f"without: {empty}")
    stray = [p["title"] for p in queries
             if p.get("datasource", {}).get("uid") != "${datasource}"
             or any(t.get("datasource", {}).get("uid") != "${datasource}" for t in p.get("targets", []))]
    check("every panel and query uses the ${datasource} variable", not stray, f"others: {stray}")
    undescribed = [p["title"] for p in queries if not p.get("description")]
    check("every panel has a description", not undescribed, f"without: {undescribed}")
    # Each panel sits below its row and above the next (Grafana lays rows out by y).
    order = sorted(dashboard_panels(dashboard), key=lambda p: (p["gridPos"]["y"], p["gridPos"]["x"]))
    check("panels are laid out in row order", [p["id"] for p in order] == ids,
          f"by position {[p['id'] for p in order]}, in the file {ids}")
    overlaps = []
    cells = {}
    for p in queries:
        g = p["gridPos"]
        if g["x"] + g["w"] > 24:
            overlaps.append(f'{p["title"]} is wider than the grid')
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                if (x, y) in cells:
                    overlaps.append(f'{p["title"]} overlaps {cells[(x, y)]}')
                cells[(x, y)] = p["title"]
    check("panels do not overlap", not overlaps, "; ".join(sorted(set(overlaps))))

    rules = [{"record": f"dashboard:panel_{i}:expr", "expr": expr}
             for i, (_, expr) in enumerate(dashboard_expressions(dashboard))]
    with open(out_path, "w", encoding="utf-8") as f:
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, f, sort_keys=False)
    check(f"wrote {len(rules)} dashboard queries as recording rules", len(rules) >= len(queries))


def page_names(page_path):
    """Sample names on a /metrics page with the label names each has, and the type of each family."""
    samples, types = {}, {}
    with open(page_path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split()
                types[name] = kind
            elif line.strip() and not line.startswith("#"):
                name = re.match(IDENT, line).group(0)
                labels = re.findall(r'[{,](' + IDENT + r')="(?:[^"\\]|\\.)*"', line[:line.rfind("}") + 1])
                samples.setdefault(name, set()).update(labels)
    return samples, types


def catalog_values(catalog_path):
    """Label values documented in WebhookMetrics+Catalog.swift: constant name -> values."""
    with open(catalog_path, encoding="utf-8") as f:
        swift = f.read()
    values = {}
    for const, _label, listed in re.findall(
            r'static let (\w+) = BoundedLabel\(name: "(\w+)", values: \[([^\]]*)\]\)', swift):
        values[const] = re.findall(r'"([^"]*)"', listed)
    for metric, (const, label) in HELP_LISTED_LABELS.items():
        help_text = re.search(r"static let " + const + r' = MetricDefinition\(\s*name: "' + metric
                              + r'",\s*help: "([^"]*)"', swift)
        listed = help_text and re.search(label + r" \(([^)]*)\)", help_text.group(1))
        values[const] = [v.strip() for v in listed.group(1).split(",")] if listed else []
    return values


def metrics(page_path, catalog_path, rules_path, dashboard_path):
    """Every metric name used by the rules and the dashboard is on the real page; label values are documented."""
    samples, types = page_names(page_path)
    check(f"the scraped page has eci_profile_* and process_* series ({len(samples)} names)",
          any(s.startswith("eci_profile_") for s in samples) and any(s.startswith("process_") for s in samples))
    rules = load_yaml(rules_path)
    recorded = {rule["record"]: rule["expr"] for group in rules["groups"] for rule in group["rules"] if "record" in rule}
    values = catalog_values(catalog_path)
    for metric, labels in BOUNDED_LABELS.items():
        for label, const in labels.items():
            check(f"catalog lists the values of {metric}{{{label}}} ({const})", bool(values.get(const)))

    # A recording rule's name stands for the metrics of its expression.
    def base_metrics(name):
        if name in recorded:
            return {n for n, _ in selectors(recorded[name]) if n not in PROMETHEUS_SERIES}
        return {name}

    sources = [(f"rule {name}", expr) for name, expr in rule_expressions(rules)]
    sources += list(dashboard_expressions(load_json(dashboard_path)))
    used = {}
    for where, expr in sources:
        found = selectors(expr)
        check(f"{where} uses a metric", bool(found), expr)
        # Grouping and matching labels must be target labels or labels the used metrics have.
        grouped = {label.strip() for _, listed in re.findall(
            r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", expr)
            for label in listed.split(",") if label.strip()}
        if grouped:
            have = TARGET_LABELS | {label for name, _ in found for base in base_metrics(name)
                                    for label in samples.get(base, set())}
            check(f"{where} groups by labels that exist ({', '.join(sorted(grouped))})",
                  grouped <= have, f"{sorted(grouped - have)} not on {sorted(n for n, _ in found)}")
        for name, matchers in found:
            used.setdefault(name, where)
            for base in base_metrics(name):
                for label, op, value in matchers:
                    known = BOUNDED_LABELS.get(base, {}).get(label) or (
                        HELP_LISTED_LABELS[base][0] if base in HELP_LISTED_LABELS and HELP_LISTED_LABELS[base][1] == label else None)
                    if label == "job":
                        check(f'{where}: {name}{{job="{value}"}} is the eci-profile job',
                              op == "=" and value == JOB, f"{op}{value!r}")
                    elif known:
                        wanted = value.split("|") if op in ("=~", "!~") else [value]
                        unknown = [v for v in wanted if v not in values.get(known, [])]
                        check(f'{where}: {base}{{{label}{op}"{value}"}} uses documented values',
                              not unknown, f"{unknown} not in {known} {values.get(known)}")
    for name in sorted(used):
        if name in PROMETHEUS_SERIES:
            check(f"{name} is made by Prometheus for every target (not on the page)", True)
        elif name in recorded:
            check(f"{name} is a recording rule of the rules file", True)
        else:
            # A histogram's series are NAME_bucket, NAME_sum and NAME_count under a TYPE line for NAME.
            family = re.sub(r"_(bucket|sum|count)$", "", name)
            histogram = family != name and types.get(family) == "histogram"
            check(f"{name} is on the scraped /metrics page" + (f" (histogram {family})" if histogram else ""),
                  name in samples and (family == name or histogram),
                  f"first used by {used[name]}")
    for name, kind in sorted(types.items()):
        if kind == "histogram":
            wanted = {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
            check(f"histogram {name} has _bucket, _sum and _count on the page", wanted <= samples.keys(),
                  f"missing {sorted(wanted - samples.keys())}")


def github_anchor(heading):
    """The anchor GitHub gives a Markdown heading."""
    text = re.sub(r"[`*_~]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip()).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def alerts(rules_path, readme_path):
    """Every alert has a severity, summary, description and a runbook_url whose anchor is a README heading."""
    with open(readme_path, encoding="utf-8") as f:
        headings = [m.group(1) for m in re.finditer(r"^#{1,6} (.+)$", f.read(), re.M)]
    anchors = {github_anchor(h) for h in headings}
    rules = load_yaml(rules_path)
    names = []
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            name = rule["alert"]
            names.append(name)
            severity = rule.get("labels", {}).get("severity")
            check(f"{name} ({severity}) has a severity of {sorted(SEVERITIES)}", severity in SEVERITIES)
            notes = rule.get("annotations", {})
            check(f"{name} ({severity}) has exactly summary, description and runbook_url",
                  sorted(notes) == ["description", "runbook_url", "summary"], f"has {sorted(notes)}")
            url = notes.get("runbook_url", "")
            anchor = url.partition("#")[2]
            check(f"{name} ({severity}) runbook_url points into README.md at its own heading",
                  url.split("#")[0].endswith("/README.md") and anchor == github_anchor(name) and anchor in anchors,
                  f"{url}; README anchors include {sorted(a for a in anchors if a.startswith('eciprofile'))}")
    in_readme = sorted(h for h in headings if h.startswith("EciProfile"))
    check("every runbook heading in the README is an alert", set(in_readme) <= set(names),
          f"headings without an alert: {sorted(set(in_readme) - set(names))}")


def objects(rendered_path, rules_path, dashboard_path, example_path):
    """The component's objects agree with the Service, the rules file, the dashboard and each other."""
    docs = load_all(rendered_path)
    service = find(docs, "Service", "eci-profile")
    monitor = find(docs, "ServiceMonitor")
    rule = find(docs, "PrometheusRule")
    dashboard_map = find(docs, "ConfigMap", "eci-profile-grafana-dashboard")
    check("the overlay renders one ServiceMonitor, one PrometheusRule and the dashboard ConfigMap",
          bool(service and monitor and rule and dashboard_map))
    if not (service and monitor and rule and dashboard_map):
        return
    labels = service["metadata"].get("labels", {})
    selector = monitor["spec"]["selector"].get("matchLabels", {})
    check("ServiceMonitor selects the eci-profile Service by its labels", selects(selector, labels),
          f"{selector} vs {labels}")
    others = [d["metadata"]["name"] for d in docs if d["kind"] == "Service" and d is not service
              and selects(selector, d["metadata"].get("labels", {}))]
    check("ServiceMonitor selects no other Service", not others, f"also {others}")
    namespaces = monitor["spec"].get("namespaceSelector", {}).get("matchNames", [monitor["metadata"]["namespace"]])
    check("ServiceMonitor looks in the Service's namespace", service["metadata"]["namespace"] in namespaces)
    ports = {p.get("name"): p for p in service["spec"]["ports"]}
    endpoints = monitor["spec"]["endpoints"]
    check("ServiceMonitor scrapes exactly the Service's metrics port",
          [e.get("port") for e in endpoints] == ["metrics"] and "metrics" in ports, f"{endpoints}")
    deployment = find(docs, "Deployment", "eci-profile")
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    container_ports = {p["name"]: p["containerPort"] for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]}
    metrics_port = container_ports.get(ports["metrics"].get("targetPort"))
    check("the metrics port leads to --metrics-bind-address",
          f"--metrics-bind-address=:{metrics_port}" in args, f"port {metrics_port}, args {args}")
    check("ServiceMonitor scrapes /metrics over plain HTTP",
          all(e.get("path") == "/metrics" and e.get("scheme", "http") == "http" for e in endpoints))
    job_label = monitor["spec"].get("jobLabel")
    job = labels.get(job_label) if job_label else service["metadata"]["name"]
    check(f'the scrape job is "{JOB}" (ServiceMonitor jobLabel {job_label})', job == JOB, f"job {job!r}")
    example = load_yaml(example_path)
    jobs = [j["job_name"] for j in example["scrape_configs"]]
    check(f'prometheus.example.yml scrapes job "{JOB}" with the rules file',
          jobs == [JOB] and example["rule_files"] == ["eci-profile.rules.yaml"], f"jobs {jobs}, rule_files {example['rule_files']}")
    keep = [r for r in example["scrape_configs"][0]["relabel_configs"] if r.get("action") == "keep"]
    check("prometheus.example.yml keeps the eci-profile Service's metrics port",
          [r["regex"] for r in keep] == [f'{service["metadata"]["name"]};metrics'], f"{keep}")
    check("PrometheusRule spec is the rules file, whole", rule["spec"] == load_yaml(rules_path))
    check("PrometheusRule is in the webhook's namespace",
          rule["metadata"]["namespace"] == service["metadata"]["namespace"])
    with open(dashboard_path, encoding="utf-8") as f:
        text = f.read()
    check("dashboard ConfigMap holds grafana-dashboard.json, byte for byte",
          dashboard_map.get("data") == {"eci-profile.json": text})
    check("dashboard ConfigMap has the Grafana sidecar label",
          dashboard_map["metadata"].get("labels", {}).get("grafana_dashboard") == "1")


def crd_schema(rendered_path):
    """ServiceMonitor and PrometheusRule against the prometheus-operator CRD schemas.

    cloudcoil-models-prometheus-operator holds pydantic models generated from the
    operator's CRDs (field names, types, enums, patterns, required fields). Pydantic
    ignores fields it does not know, so each object must also survive a round trip
    unchanged: a misspelt or misplaced field is dropped and the comparison fails.
    """
    from cloudcoil.models.prometheus_operator import v1

    docs = load_all(rendered_path)
    models = {"ServiceMonitor": v1.ServiceMonitor, "PrometheusRule": v1.PrometheusRule}
    for kind, model in models.items():
        for doc in [d for d in docs if d["kind"] == kind]:
            name = f'{kind}/{doc["metadata"]["name"]}'
            check(f"{name} has apiVersion monitoring.coreos.com/v1", doc["apiVersion"] == "monitoring.coreos.com/v1")
            try:
                parsed = model.model_validate(doc)
            except Exception as error:  # pydantic.ValidationError: report every field
                check(f"{name} validates against the CRD schema", False, str(error).replace("\n", "; "))
                continue
            check(f"{name} validates against the CRD schema", True)
            back = parsed.model_dump(by_alias=True, exclude_unset=True, mode="json")
            check(f"{name} has no field the CRD schema lacks (round trip unchanged)",
                  back == doc, first_difference(doc, back))
    # The check must be able to fail: a misspelt field, a wrong type, a bad duration.
    monitor = next(d for d in docs if d["kind"] == "ServiceMonitor")
    rule = next(d for d in docs if d["kind"] == "PrometheusRule")
    broken = [
        ("a misspelt ServiceMonitor field", v1.ServiceMonitor, monitor, ["spec", "endpoints", 0], "intervall", "30s"),
        ("a PrometheusRule `for` that is not a duration", v1.PrometheusRule, rule, ["spec", "groups", 0, "rules", -1], "for", "soon"),
        ("a ServiceMonitor endpoint port that is a list", v1.ServiceMonitor, monitor, ["spec", "endpoints", 0], "port", ["metrics"]),
    ]
    for what, model, doc, path, key, value in broken:
        bad = json.loads(json.dumps(doc))
        target = bad
        for step in path:
            target = target[step]
        target[key] = value
        try:
            rejected = model.model_validate(bad).model_dump(by_alias=True, exclude_unset=True, mode="json") != bad
        except Exception:
            rejected = True
        check(f"the CRD schema check rejects {what}", rejected)


def first_difference(a, b, path="$"):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in b:
                return f"{path}.{key} dropped"
            if key not in a:
                return f"{path}.{key} added"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return ""
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return ""
    return "" if a == b else f"{path}: {a!r} became {b!r}"


def main(argv):
    commands = {"dashboard-rules": (dashboard_rules, 2), "metrics": (metrics, 4), "alerts": (alerts, 2),
                "objects": (objects, 4), "crd-schema": (crd_schema, 1)}
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 != commands[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    commands[argv[1]][0](*argv[2:])
    return 1 if check_manifests.FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
