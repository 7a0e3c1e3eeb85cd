# README "Deploy on GKE", with cert-manager or --manage-certs: the guide's webhook step with an empty
# caBundle, which cert-manager's cainjector or signet-webhook then fills in; the same for the resolve hook.
sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/webhook.yaml \
| sed "s/\${K8S_CA_BUNDLE}//g" \
| kubectl apply -f-

sed "s/\${K8S_NAMESPACE}/${K8S_NAMESPACE}/g" deploy/resolve-webhook.yaml \
| sed "s/\${K8S_CA_BUNDLE}//g" \
| kubectl apply -f-
