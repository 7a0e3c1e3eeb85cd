# README "Deploy on GKE", step 7: the guide's commands, plus the image you pushed and the PDB.
kubectl apply -f deploy/crds.yaml

kubectl apply -f deploy/cluster-role.yaml

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/cluster-role-binding.yaml \
| kubectl apply -f-

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/service-account.yaml \
| sed "s/\${GCP_PROJECT}/${GCP_PROJECT}/g" \
| kubectl apply -f-

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/deployment.yaml \
| sed "s|image: signet-webhook:0.1.0|image: ${IMAGE}|" \
| kubectl apply -f-

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/service.yaml \
| kubectl apply -f-

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/pdb.yaml \
| kubectl apply -f-
