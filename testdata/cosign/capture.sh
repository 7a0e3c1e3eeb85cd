#!/usr/bin/env bash
# Copies what cosign wrote to a local registry into this folder, byte for byte (README.md says how the
# registry was filled). Usage: capture.sh HOST:PORT sha256-HEX
set -euo pipefail
registry=$1 tag=$2
out=$(dirname "$0")
accept='application/vnd.oci.image.manifest.v1+json'

manifest() { curl -fsS -H "Accept: $1" "http://$registry/v2/$2/manifests/$3"; }
blob() { curl -fsS "http://$registry/v2/$1/blobs/$2"; }
blobs_of() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["config"]["digest"]); [print(l["digest"]) for l in m["layers"]]' "$1"; }
keep() { # repository, manifest file: the manifest's config and layers into blobs/
  for digest in $(blobs_of "$2"); do blob "$1" "$digest" > "$out/blobs/${digest#sha256:}"; done
}

mkdir -p "$out/blobs"
manifest "$accept" signet/app "sha256:${tag#sha256-}" > "$out/image.manifest.json"
manifest "$accept" signet/app "$tag.sig" > "$out/app.sig.manifest.json"
manifest "$accept" signet/app "$tag.att" > "$out/app.att.manifest.json"
manifest "$accept" signet/other "$tag.sig" > "$out/other.sig.manifest.json"
manifest 'application/vnd.oci.image.index.v1+json' signet/bundle "$tag" > "$out/bundle.referrers-index.json"
bundle_manifest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$out/bundle.referrers-index.json")
manifest "$accept" signet/bundle "$bundle_manifest" > "$out/bundle.manifest.json"
keep signet/app "$out/app.sig.manifest.json"
keep signet/app "$out/app.att.manifest.json"
keep signet/other "$out/other.sig.manifest.json"
keep signet/bundle "$out/bundle.manifest.json"
