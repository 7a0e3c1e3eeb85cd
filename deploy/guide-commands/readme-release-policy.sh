# README "Release: build, sign and admit Signet itself": the release policy, in the namespace where a new
# release runs first (pnpm demo:release writes its policies folder by running these lines).

kubectl apply -f- <<EOF
apiVersion: kritis.grafeas.io/v1beta1
kind: AttestationAuthority
metadata:
  name: release-qa
  namespace: signet-staging
spec:
  noteReference: projects/signet-release
  publicKeyData: $(base64 -w0 release.key.pub)
---
apiVersion: kritis.grafeas.io/v1beta1
kind: AttestationAuthority
metadata:
  name: release-build
  namespace: signet-staging
spec:
  cosign:
    publicKeyData: $(base64 -w0 cosign.pub)
---
apiVersion: kritis.grafeas.io/v1beta1
kind: GenericAttestationPolicy
metadata:
  name: signet-release
  namespace: signet-staging
spec:
  attestationAuthorityNames:
  - release-qa
  - release-build
EOF
