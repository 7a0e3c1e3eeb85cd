# Signet's two extra files, applied like the guide's (README "Deploy on GKE").
sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/namespace.yaml \
| kubectl apply -f-

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/pdb.yaml \
| kubectl apply -f-
