# The Kritis user's guide, "Deploy Kritis" (README of stepanstipl/gke-image-signing-kritis), verbatim.
kubectl apply -f deploy/crds.yaml

kubectl apply -f deploy/cluster-role.yaml

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/cluster-role-binding.yaml \
| kubectl apply -f-

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/service-account.yaml \
| sed "s/\${GCP_PROJECT}/${GCP_PROJECT}/g" \
| kubectl apply -f-

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/deployment.yaml \
| kubectl apply -f-

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/service.yaml \
| kubectl apply -f-

K8S_CA_BUNDLE=$(kubectl config view --raw --minify \
  --flatten -o jsonpath='{.clusters[].cluster.certificate-authority-data}')

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/webhook.yaml \
| sed "s/\${K8S_CA_BUNDLE}/${K8S_CA_BUNDLE}/g" \
| kubectl apply -f-
