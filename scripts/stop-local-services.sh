#!/usr/bin/env bash
# Stops the project-local PostgreSQL and Redis that run-portal.sh / run-tests.sh start when no
# system servers answer. System services are never touched. Delete .data/ to start afresh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
stop_local_services
