# The Kritis user's guide: its ImageSecurityPolicy, AttestationAuthority and GenericAttestationPolicy, verbatim.
cat <<EOF | kubectl apply -f-
apiVersion: kritis.grafeas.io/v1beta1
kind: ImageSecurityPolicy
metadata:
  name: test-security-policy
  namespace: default
spec:
  packageVulnerabilityRequirements:
    maximumSeverity: MEDIUM
    allowlistCVEs:
      - providers/goog-vulnz/notes/CVE-2017-1000082
      - providers/goog-vulnz/notes/CVE-2017-1000081
EOF

cat <<EOF | kubectl apply -f-
apiVersion: kritis.grafeas.io/v1beta1
kind: AttestationAuthority
metadata:
  name: ${NOTE_NAME}
  namespace: default
spec:
  noteReference: projects/${GCP_PROJECT}
  publicKeyData: $(base64 key.pub)
EOF

cat <<EOF | kubectl apply -f-
apiVersion: kritis.grafeas.io/v1beta1
kind: GenericAttestationPolicy
metadata:
  name: ${NOTE_NAME}-policy
  namespace: default
spec:
  attestationAuthorityNames:
  - ${NOTE_NAME}
EOF
