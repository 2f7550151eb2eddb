#!/usr/bin/env bash
# The README's demo, against a running gateway (deploy/run.sh starts one and runs this): demo users created with
# rgw, the Pima table in deploy/demo-data registered and uploaded, one request walked from submission through two
# approvals, generation and evaluation to a downloaded, verified release; a second request refused for lack of
# privacy budget; the audit chain verified. Every step is an rgw command, printed before it runs.
#
# Environment: RGW_GATEWAY (default http://127.0.0.1:5000), ReleaseGateway__DataDirectory (the gateway's data
# folder, default ./data; rgw users add and rgw audit verify work on it directly), RGW_DLL (a built rgw.dll).
# The demo's users, passwords (owner-only file), credentials and downloads go to DATA/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
GATEWAY=${RGW_GATEWAY:-http://127.0.0.1:5000}
export ReleaseGateway__DataDirectory=${ReleaseGateway__DataDirectory:-$PWD/data}
DATA=$ReleaseGateway__DataDirectory
RGW_DLL=${RGW_DLL:-$PWD/src/ReleaseGateway.Cli/bin/Release/net10.0/rgw.dll}
DEMO=$DATA/demo
DATASET_NAME=demo-pima   # its policy is policies/demo-pima.yaml: a cap of ε 1.2 that fits one ε = 1 release, not two

if [[ -e $DEMO ]]; then
    echo "The demo already ran against $DATA (deploy/run.sh keeps its transcript in $DATA/demo-transcript.txt)." >&2
    echo "To run it again, start from an empty data folder: ReleaseGateway__DataDirectory=/tmp/rgw-demo deploy/run.sh" >&2
    exit 2
fi
[[ -f $RGW_DLL ]] || { echo "No rgw at $RGW_DLL; build it: dotnet build -c Release src/ReleaseGateway.Cli" >&2; exit 2; }
mkdir -p "$DEMO"
chmod 700 "$DEMO"

if [[ -t 1 ]]; then BOLD=$'\e[1m' DIM=$'\e[2m' OFF=$'\e[0m'; else BOLD='' DIM='' OFF=''; fi
START=$SECONDS
step() { printf '\n%s== %s%s %s(%ds)%s\n' "$BOLD" "$*" "$OFF" "$DIM" $((SECONDS - START)) "$OFF"; }
# The command as one would type it: arguments with spaces or shell characters in single quotes.
quote() { local a out=(); for a in "$@"; do if [[ $a =~ ^[A-Za-z0-9@%+=:,./_-]+$ ]]; then out+=("$a"); else out+=("'${a//\'/\'\\\'\'}'"); fi; done; echo "${out[*]}"; }
prompt() { local who=$1; shift; printf '%s%s$ rgw %s%s\n' "$DIM" "$who" "$(quote "$@")" "$OFF"; }
rgw() { dotnet "$RGW_DLL" "$@"; }
# as WHO ARGS...: run rgw with WHO's saved credentials, printing the command first.
as() { local who=$1; shift; prompt "$who" "$@"; rgw "$@" --credentials "$DEMO/$who.json"; }
# capture VAR WHO ARGS...: like as, and keep the output (an id, with --quiet) in VAR.
capture() { local var=$1 who=$2 out; shift 2; prompt "$who" "$@"; out=$(rgw "$@" --credentials "$DEMO/$who.json"); printf -v "$var" '%s' "$out"; echo "$out"; }

declare -A EMAIL=(
    [steward]=steward@demo-hospital.example [researcher]=researcher@university.example
    [member1]=member1@committee.example [member2]=member2@committee.example [compliance]=compliance@demo-hospital.example)
declare -A ROLE=(
    [steward]=DataSteward [researcher]=Researcher [member1]=CommitteeMember [member2]=CommitteeMember [compliance]=ComplianceOfficer)
PEOPLE=(steward researcher member1 member2 compliance)

step "1. The administrator creates the demo users on the gateway's machine (random passwords, kept in $DEMO/passwords.txt, owner-only)"
umask 077
for who in "${PEOPLE[@]}"; do
    password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
    printf '%s %s\n' "${EMAIL[$who]}" "$password" >> "$DEMO/passwords.txt"
    prompt admin users add --email "${EMAIL[$who]}" --role "${ROLE[$who]}" --password-stdin
    printf '%s\n' "$password" | rgw users add --email "${EMAIL[$who]}" --role "${ROLE[$who]}" --password-stdin
done

step "2. Each signs in (authorization code + PKCE, the browser's flow, driven by rgw login --user); one credentials file each, which every later command (WHO$ rgw ...) passes with --credentials"
while read -r email password; do
    who=${email%%@*}
    prompt "$who" login --gateway "$GATEWAY" --user "$email" --password-stdin --credentials "$DEMO/$who.json"
    printf '%s\n' "$password" | rgw login --gateway "$GATEWAY" --user "$email" --password-stdin --credentials "$DEMO/$who.json"
done < "$DEMO/passwords.txt"
as researcher whoami

step "3. The data steward registers the Pima diabetes table (deploy/demo-data, credited in its README) and uploads it"
capture DATASET steward datasets register --name "$DATASET_NAME" --owner "Demo hospital" \
    --description "Pima Indians diabetes (NIDDK; R package mlbench, PimaIndiansDiabetes2): 768 women, 9 columns" \
    --schema deploy/demo-data/pima-schema.json --quiet
as steward datasets upload "$DATASET" --file deploy/demo-data/pima.csv
as compliance budget show "$DATASET_NAME"

step "4. The researcher submits a request: ε = 1, all columns, 768 synthetic rows"
capture REQUEST1 researcher requests submit --dataset "$DATASET_NAME" --epsilon 1 --rows 768 --access-days 30 \
    --title "Glucose, BMI and diabetes" --purpose "Teach risk-model validation on realistic data" \
    --justification "Every column is needed for the risk model; ε = 1 is the dataset's per-release maximum" \
    --intended-use "Course material at the university; no re-identification attempts" --idempotency-key demo-request-1 --quiet

step "5. The steward screens it; two committee members approve (the second approval reserves the budget)"
as steward requests accept "$REQUEST1"
as member1 requests vote "$REQUEST1" approve --reason "Proportionate: synthetic data, course use"
as member2 requests vote "$REQUEST1" approve --reason "Agree; ε within policy"

step "6. The pipeline job generates (budget charged), evaluates (attacks, fidelity, gates) and publishes"
as researcher requests wait "$REQUEST1" --timeout 150
RELEASE1=$(rgw requests releases "$REQUEST1" --quiet --credentials "$DEMO/researcher.json" | tail -1)
as researcher release show "$RELEASE1"

step "7. The researcher downloads the release and verifies it offline against the gateway's public key"
as researcher release download "$RELEASE1" --out "$DEMO/release"
prompt researcher release verify "$DEMO/release/manifest.json" --key "$DATA/keys/audit-signing-key.pub.pem" --require-all
rgw release verify "$DEMO/release/manifest.json" --key "$DATA/keys/audit-signing-key.pub.pem" --require-all
cp -r "$DEMO/release" "$DEMO/release-tampered"
byte=$(dd if="$DEMO/release-tampered/synthetic.csv" bs=1 skip=200 count=1 status=none)
[[ $byte == 1 ]] && byte=2 || byte=1
printf '%s' "$byte" | dd of="$DEMO/release-tampered/synthetic.csv" bs=1 seek=200 conv=notrunc status=none
echo "${DIM}(a copy with one byte of synthetic.csv changed, at offset 200 to '$byte', must fail:)${OFF}"
prompt researcher release verify "$DEMO/release-tampered/manifest.json" --key "$DATA/keys/audit-signing-key.pub.pem"
if rgw release verify "$DEMO/release-tampered/manifest.json" --key "$DATA/keys/audit-signing-key.pub.pem" 2>&1; then
    echo "UNEXPECTED: a tampered release verified" >&2; exit 1
else
    echo "${DIM}(exit $?: tampering detected, as it should be)${OFF}"
fi
as compliance budget show "$DATASET_NAME"

step "8. A second request for ε = 1 on the same table: the approval that would overspend the budget is refused"
capture REQUEST2 researcher requests submit --dataset "$DATASET_NAME" --epsilon 1 --rows 768 --access-days 30 \
    --title "Second look" --purpose "A follow-up study on the same table" --justification "Same columns, a new cohort question" \
    --intended-use "Course material" --idempotency-key demo-request-2 --quiet
as steward requests accept "$REQUEST2"
as member1 requests vote "$REQUEST2" approve --reason "Fine by me"
prompt member2 requests vote "$REQUEST2" approve --reason "Agree"
if refusal=$(rgw requests vote "$REQUEST2" approve --reason "Agree" --credentials "$DEMO/member2.json" 2>&1); then
    echo "$refusal"; echo "UNEXPECTED: the approval over the budget cap was accepted" >&2; exit 1
fi
echo "$refusal"
grep -q RG3001 <<<"$refusal" || { echo "UNEXPECTED: refused for another reason" >&2; exit 1; }
as compliance budget show "$DATASET_NAME"

step "9. The compliance officer verifies the audit chain (every step above is an event in it)"
prompt compliance audit verify
rgw audit verify

step "Done"
echo "Release folder:     $DEMO/release (open release-report.html in a browser)"
echo "Demo users:         $DEMO/passwords.txt; sign in as one with: dotnet $RGW_DLL login --credentials $DEMO/NAME.json --user EMAIL --password-stdin"
