#!/bin/bash
# Runs the study of the Jobs beside this file on a Kubernetes cluster, in
# order: the shared volume, the preparation, the units, the report.
# kubectl has no dependencies between Jobs, so this script waits for each.
set -euo pipefail
cd "$(dirname "$0")"
kubectl apply -f volume.yaml
kubectl apply -f prepare.yaml
kubectl wait --for=condition=complete --timeout=2h job/mmcnf-prepare
kubectl apply -f units.yaml
# The units' Job ends complete, or failed when a unit used up its retries.
kubectl wait --for=jsonpath='{.status.conditions[0].status}'=True --timeout=72h job/mmcnf-units
kubectl apply -f report.yaml
kubectl wait --for=condition=complete --timeout=1h job/mmcnf-report || true
kubectl logs job/mmcnf-report
