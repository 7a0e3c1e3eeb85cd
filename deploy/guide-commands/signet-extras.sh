# Signet's extra files, applied like the guide's (README "Deploy on GKE"): the namespace, the PDB, and
# the resolve hook (with the CA bundle the guide's webhook step read).
sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/namespace.yaml \
| kubectl apply -f-

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/pdb.yaml \
| kubectl apply -f-

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/resolve-webhook.yaml \
| sed "s/\${K8S_CA_BUNDLE}/${K8S_CA_BUNDLE}/g" \
| kubectl apply -f-
