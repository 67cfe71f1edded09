//! rustls client configurations for `verify` and `cert`.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{ring, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{
    ClientConfig, DigitallySignedStruct, InconsistentKeys, RootCertStore, SignatureScheme,
};

use super::options::{ClientCert, Verify};

/// What makes two https connections need different TLS configurations.
pub(super) type TlsProfile = (Verify, Option<ClientCert>);

fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// Builds the TLS configuration for one `verify`/`cert` combination.
pub fn client_config(
    verify: &Verify,
    cert: Option<&ClientCert>,
) -> Result<Arc<ClientConfig>, String> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?;
    let builder = match verify {
        Verify::Off => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider()))),
        Verify::System => {
            let roots = RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            builder.with_root_certificates(roots)
        }
        Verify::CaBundle(path) => {
            let mut roots = RootCertStore::empty();
            for c in read_certs(path, "the CA bundle (`verify`)")? {
                roots.add(c).map_err(|e| {
                    format!(
                        "the CA bundle (`verify`) `{}` holds a certificate that cannot be used as a CA: {e}",
                        path.display()
                    )
                })?;
            }
            builder.with_root_certificates(roots)
        }
    };
    let config = match cert {
        None => builder.with_no_client_auth(),
        Some(c) => {
            let certs = read_certs(&c.cert, "the client certificate (`cert`)")?;
            let key_path = c.key.as_deref().unwrap_or(&c.cert);
            let key = PrivateKeyDer::from_pem_file(key_path).map_err(|e| {
                let hint = if c.key.is_none() {
                    "; with `cert: one.pem` the PEM holds the certificate and its key, else write `cert: [cert.pem, key.pem]`"
                } else {
                    ""
                };
                format!(
                    "the client key (`cert`) `{}`: no PEM private key found ({e}){hint}",
                    key_path.display()
                )
            })?;
            builder.with_client_cert_resolver(client_identity(certs, key, &c.cert)?)
        }
    };
    Ok(Arc::new(config))
}

/// The client certificate and its key, offered to every server that asks. The key must
/// match the certificate where rustls can tell; a certificate it cannot parse itself
/// (an X.509 v1 certificate, which `openssl x509 -req` makes without extensions, and
/// which curl, requests and nginx accept) is offered as it is, and the server judges it.
fn client_identity(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    path: &Path,
) -> Result<Arc<SingleCertAndKey>, String> {
    let unusable = |e: rustls::Error| {
        format!(
            "the client certificate (`cert`) `{}` cannot be used with its key: {e}",
            path.display()
        )
    };
    let signing = provider()
        .key_provider
        .load_private_key(key)
        .map_err(unusable)?;
    let certified = CertifiedKey::new(certs, signing);
    match certified.keys_match() {
        Ok(())
        | Err(rustls::Error::InconsistentKeys(InconsistentKeys::Unknown))
        | Err(rustls::Error::InvalidCertificate(_)) => {}
        Err(e) => return Err(unusable(e)),
    }
    Ok(Arc::new(SingleCertAndKey::from(certified)))
}

fn read_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read {what} `{}`: {e}", path.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{what} `{}` is not a valid PEM file: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "{what} `{}` holds no certificate (no `-----BEGIN CERTIFICATE-----` block)",
            path.display()
        ));
    }
    Ok(certs)
}

/// `verify: false`: the handshake still happens, the certificate is not checked.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
