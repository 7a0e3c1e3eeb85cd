# README "Deploy on GKE", certificates by cert-manager (installed in the cluster beforehand).
sed "s/\.signet\.svc/.${K8S_NAMESPACE}.svc/g" deploy/cert-manager/certificates.yaml \
| kubectl apply -n "${K8S_NAMESPACE}" -f-

kubectl annotate validatingwebhookconfiguration signet-webhook --overwrite \
  cert-manager.io/inject-ca-from="${K8S_NAMESPACE}/signet-webhook-tls"
kubectl annotate mutatingwebhookconfiguration signet-resolve --overwrite \
  cert-manager.io/inject-ca-from="${K8S_NAMESPACE}/signet-webhook-tls"
