# README "Deploy on GKE", by-hand certificates: the guide's webhook step, with your own CA (ca.crt)
# instead of the cluster's, and the same for the resolve hook. base64 of PEM text never contains `/` or `&`, so the guide's sed is safe.
K8S_CA_BUNDLE=$(base64 -w0 ca.crt)

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/webhook.yaml \
| sed "s/\${K8S_CA_BUNDLE}/${K8S_CA_BUNDLE}/g" \
| kubectl apply -f-

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/resolve-webhook.yaml \
| sed "s/\${K8S_CA_BUNDLE}/${K8S_CA_BUNDLE}/g" \
| kubectl apply -f-
