# README "Deploy on GKE", with kustomize: an overlay beside deploy/ that picks the image, the Google
# service account and the certificate mode (here --manage-certs; or ../deploy/cert-manager).
mkdir -p signet-install
cat > signet-install/kustomization.yaml <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: signet
resources:
  - ../deploy
components:
  - ../deploy/manage-certs
images:
  - name: signet-webhook
    newName: ${IMAGE%@*}
    digest: ${IMAGE#*@}
patches:
  - target:
      kind: ServiceAccount
      name: signet-webhook
    patch: |-
      - op: replace
        path: /metadata/annotations/iam.gke.io~1gcp-service-account
        value: signet-webhook@${GCP_PROJECT}.iam.gserviceaccount.com
EOF
kubectl apply -k signet-install
