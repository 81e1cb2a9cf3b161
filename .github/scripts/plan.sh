#!/usr/bin/env bash
# Plans a pull request's Terraform layers with the environment's read-only
# plan role, for fleetgen pr-summary (ci.yml's plan job; docs/terraform.md,
# "Plans in pull requests").
#
#   plan.sh role ENV                 prints the plan role of ENV, from the
#                                    rendered plan.tfvars, or nothing when
#                                    the pull request cannot be planned
#   plan.sh plan ENV PLANS LAYER...  writes PLANS/ENV/LAYER.json (terraform
#                                    show -json of the plan, reduced to the
#                                    addresses and actions) and LAYER.txt
#                                    (the plan as terraform prints it), or
#                                    PLANS/ENV/LAYER.unavailable: one line
#                                    saying why there is no plan
#
# The plan never writes anything the apply reads: -lock=false (the role
# cannot write the state's lock object, and a plan must not hold up an
# apply), a saved plan is never applied, and refreshing happens in memory
# only. The rendered layer is used as it is, with plan.tfvars (the aws
# provider and remote state reads assume the plan role) and plan.tfbackend
# (so does the s3 backend): the plan shows what the apply will do.
#
# Reads: CREDENTIALS, the outcome of the step that assumed the role
# ("success", or "failure"/"skipped"/""); ACTIONS_ID_TOKEN_REQUEST_URL,
# which GitHub sets only when the job can mint an OIDC token (never for a
# pull request from a fork); FLEETGEN_OUT (default out); TERRAFORM
# (default terraform); PLAN_TIMEOUT in seconds (default 900).
set -euo pipefail

out=${FLEETGEN_OUT:-out}
terraform=${TERRAFORM:-terraform}
timeout=${PLAN_TIMEOUT:-900}
role_re='^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$'

# plan_role ENV: the role every layer's plan.tfvars names, or "" when no
# layer has one. Layers that disagree, or a value that is not a plain role
# ARN, stop the script: that is a rendering fleetgen never makes.
plan_role() {
	local env=$1 role="" r f
	for f in "$out/$1"/terraform/*/plan.tfvars; do
		[ -f "$f" ] || continue
		r=$(sed -n 's/^role_arn *= *"\(.*\)"$/\1/p' "$f")
		if ! [[ $r =~ $role_re ]]; then
			echo "$f: role_arn is not a role ARN fleetgen renders: \"$r\"" >&2
			return 1
		fi
		if [ -n "$role" ] && [ "$r" != "$role" ]; then
			echo "$out/$env/terraform: the layers' plan.tfvars name different roles ($role, $r)" >&2
			return 1
		fi
		role=$r
	done
	printf '%s' "$role"
}

# unavailable ENV LAYER REASON: the one line pr-summary shows for a layer.
unavailable() {
	printf '%s\n' "$3" >"$plans/$1/$2.unavailable"
	echo "::notice::$1 $2: plan not available: $3"
}

# first_error LOG: the first "Error: …" line of terraform's output.
first_error() {
	local line
	line=$(grep -m1 -E '^(│ )?Error: ' "$1" | sed -E 's/^(│ )?Error: //') || true
	printf '%s' "${line:-no error message (see the job log)}"
}

# plan_layer ENV LAYER ROLE
plan_layer() {
	local env=$1 layer=$2 role=$3 dir data log status
	dir=$out/$env/terraform/$layer
	if [ ! -f "$dir/terraform.tf" ]; then
		unavailable "$env" "$layer" "no layer $dir in the pull request's out/"
		return
	fi
	if [ ! -f "$dir/plan.tfvars" ] || [ ! -f "$dir/plan.tfbackend" ]; then
		unavailable "$env" "$layer" "no read-only plan role for $env: set terraform.plan_role_arn in environments/$env (docs/terraform.md)"
		return
	fi
	if [ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ]; then
		unavailable "$env" "$layer" "no OIDC token in this run (a pull request from a fork gets none), so no credentials for $role"
		return
	fi
	if [ "${CREDENTIALS:-}" != success ]; then
		unavailable "$env" "$layer" "could not assume $role with GitHub's OIDC token (its trust policy, docs/terraform.md; see the job log)"
		return
	fi
	# Terraform's working data (providers, the plan) stays out of the
	# checkout; the layer's folder gets only the dependency lock file.
	data=$(mktemp -d)
	log=$data/log
	echo "::group::$env $layer: terraform init and plan as $role"
	status=0
	TF_DATA_DIR=$data/tf TF_IN_AUTOMATION=1 "$terraform" -chdir="$dir" init -input=false -no-color \
		-backend-config=plan.tfbackend >"$log" 2>&1 || status=$?
	cat "$log"
	if [ "$status" -ne 0 ]; then
		echo "::endgroup::"
		unavailable "$env" "$layer" "terraform init failed: $(first_error "$log")"
		return
	fi
	TF_DATA_DIR=$data/tf TF_IN_AUTOMATION=1 timeout "$timeout" "$terraform" -chdir="$dir" plan -input=false -no-color \
		-lock=false -var-file=plan.tfvars -out="$data/plan" >"$log" 2>&1 || status=$?
	cat "$log"
	echo "::endgroup::"
	case $status in
	0) ;;
	124)
		unavailable "$env" "$layer" "terraform plan did not finish in ${timeout}s (layers 2 and 3 read the cluster's API, which must be reachable from the runner)"
		return
		;;
	*)
		unavailable "$env" "$layer" "terraform plan failed: $(first_error "$log")"
		return
		;;
	esac
	# The plan as Terraform prints it (sensitive values hidden), and its
	# JSON reduced to what pr-summary reads: the full JSON holds every
	# value in plain text, sensitive ones included, and artifacts are
	# readable by anyone who can read the repository.
	TF_DATA_DIR=$data/tf "$terraform" -chdir="$dir" show -no-color "$data/plan" >"$plans/$env/$layer.txt"
	TF_DATA_DIR=$data/tf "$terraform" -chdir="$dir" show -json "$data/plan" |
		jq '{format_version, terraform_version, resource_changes: [.resource_changes[]? | {address, change: {actions: .change.actions}}]}' \
			>"$plans/$env/$layer.json"
	rm -rf "$data"
}

case ${1:-} in
role)
	if [ $# -ne 2 ] || ! [[ $2 =~ ^[a-z0-9][a-z0-9-]*$ ]]; then
		echo "usage: $0 role ENV" >&2
		exit 2
	fi
	if [ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ]; then
		exit 0 # no token to exchange: plan says why, layer by layer
	fi
	plan_role "$2"
	echo
	;;
plan)
	[ $# -ge 4 ] || { echo "usage: $0 plan ENV PLANS LAYER..." >&2; exit 2; }
	env=$2 plans=$3
	shift 3
	# Names from fleetgen affected become paths: refuse anything else.
	for name in "$env" "$@"; do
		if ! [[ $name =~ ^[a-z0-9][a-z0-9-]*$ ]]; then
			echo "$0: \"$name\" is not an environment or layer name" >&2
			exit 2
		fi
	done
	mkdir -p "$plans/$env"
	role=$(plan_role "$env")
	for layer in "$@"; do
		plan_layer "$env" "$layer" "$role"
	done
	;;
*)
	echo "usage: $0 role ENV | $0 plan ENV PLANS LAYER..." >&2
	exit 2
	;;
esac
