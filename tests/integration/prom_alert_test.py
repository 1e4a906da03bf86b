"""Writes a promtool rules test from a zeit textfile: its samples held
for an hour, and the alerts zeit's rules must fire at minute 20 (40 for a
failed job), each derived from the samples by what the rule says (not by
the rule itself): every check at state 2 is critical, every pool with data
errors too, every job whose last run failed warns.
Usage: prom_alert_test.py TEXTFILE RULES OUT.yml [SUBJECT/CHECK|job=NAME...]
(each SUBJECT/CHECK must be among the critical ones, each job=NAME among
the failed jobs)."""
import json
import os
import sys

from prometheus_client.parser import text_string_to_metric_families

textfile, rules, out = sys.argv[1:4]
must = sys.argv[4:]
series, critical, data_errors, failed_jobs = [], [], [], []


def sel(name, labels):
    inner = ",".join("%s=%s" % (k, json.dumps(v)) for k, v in sorted(labels.items()))
    return "%s{%s}" % (name, inner)


for fam in text_string_to_metric_families(open(textfile).read()):
    for s in fam.samples:
        if s.name == "zeit_status_timestamp_seconds":
            continue  # time() against it is the stale rule's, not tested here
        series.append({"series": sel(s.name, s.labels), "values": "%sx60" % repr(s.value)})
        # What a person reads: the annotations as the templates render
        # them (no instance label on series fed in directly).
        if s.name == "zeit_check_state" and s.value == 2:
            sub, chk = s.labels["subject"], s.labels["check"]
            critical.append({
                "exp_labels": dict(s.labels, severity="critical"),
                "exp_annotations": {
                    "summary": "zeit: %s %s is critical" % (sub, chk),
                    "description": "zeit status on  finds %s (%s) critical; run zeit status there for the detail." % (sub, chk)}})
        if s.name == "zeit_pool_errors" and s.labels.get("type") == "data" and s.value > 0:
            pool = s.labels["pool"]
            data_errors.append({
                "exp_labels": dict(s.labels, severity="critical"),
                "exp_annotations": {
                    "summary": "zeit: pool %s has %g permanent data errors" % (pool, s.value),
                    "description": "zpool status -v %s on  lists the files." % pool}})

        if s.name == "zeit_job_failed" and s.value == 1:
            kind, job, ds = s.labels["kind"], s.labels["job"], s.labels["dataset"]
            failed_jobs.append({
                "exp_labels": dict(s.labels, severity="warning"),
                "exp_annotations": {
                    "summary": "zeit: %s job %s failed" % (kind, job),
                    "description": "The last %s run of %s (%s) on  failed; zeit status there gives its message." % (kind, job, ds)}})

names = {c["exp_labels"]["subject"] + "/" + c["exp_labels"]["check"] for c in critical}
names |= {"job=" + j["exp_labels"]["job"] for j in failed_jobs}
for m in must:
    if m not in names:
        sys.exit("prom_alert_test: %s is not critical or failed in %s (those: %s)" % (m, textfile, sorted(names)))

test = {
    "rule_files": [os.path.abspath(rules)],
    "evaluation_interval": "1m",
    "tests": [{
        "interval": "1m",
        "input_series": series,
        "alert_rule_test": [
            {"eval_time": "20m", "alertname": "ZeitCheckCritical",
             "exp_alerts": critical},
            {"eval_time": "20m", "alertname": "ZeitPoolDataErrors",
             "exp_alerts": data_errors},
            # Not yet: a critical check must hold 15 minutes first.
            {"eval_time": "10m", "alertname": "ZeitCheckCritical", "exp_alerts": []},
            # A failed job waits for the next two timer runs first.
            {"eval_time": "40m", "alertname": "ZeitJobFailed",
             "exp_alerts": failed_jobs},
            {"eval_time": "20m", "alertname": "ZeitJobFailed", "exp_alerts": []},
        ],
    }],
}
# JSON is YAML; promtool reads it as such.
json.dump(test, open(out, "w"), indent=1)
