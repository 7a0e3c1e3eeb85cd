# README "Deploy on GKE", certificates by hand with openssl (replaces the guide's removed CSR steps).

# A CA of your own, for this webhook only:
openssl req -x509 -new -nodes -days 730 \
  -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout ca.key -out ca.crt -subj "/CN=signet-webhook-ca" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign"

# The serving certificate: the API server dials signet-webhook.${K8S_NAMESPACE}.svc and checks the SAN.
cat > server.cnf <<EOF
[ req ]
prompt = no
distinguished_name = dn
[ dn ]
CN = signet-webhook.${K8S_NAMESPACE}.svc
[ ext ]
subjectAltName = DNS:signet-webhook.${K8S_NAMESPACE}.svc, DNS:signet-webhook.${K8S_NAMESPACE}.svc.cluster.local
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
EOF
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout server.key -out server.csr -config server.cnf
openssl x509 -req -in server.csr -days 365 \
  -CA ca.crt -CAkey ca.key -CAcreateserial \
  -extfile server.cnf -extensions ext -out server.crt

openssl verify -CAfile ca.crt -verify_hostname "signet-webhook.${K8S_NAMESPACE}.svc" server.crt

kubectl create secret tls signet-webhook-tls -n "${K8S_NAMESPACE}" \
  --cert=server.crt --key=server.key
