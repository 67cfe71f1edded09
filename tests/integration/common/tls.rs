//! Test PKI made at test time with rcgen: a CA, a server certificate for `localhost` and
//! `127.0.0.1`, and a client certificate, written as PEM files; and rustls server
//! configurations for `TestServer::start_tls`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};

/// PEM files of one test PKI. Specs name the client's files by their names in the folder
/// (`cert: client-combined.pem`): `client.pem` and `client-key.pem` (the client certificate
/// and key apart), `client-combined.pem` (both in one PEM) and `rogue-combined.pem` (a
/// client certificate from a CA the server does not trust).
pub struct Pki {
    /// The CA certificate (what `verify:` takes).
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

fn ca(name: &str) -> (CertificateParams, KeyPair, String) {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().expect("ca key");
    let pem = params.self_signed(&key).expect("self-sign ca").pem();
    (params, key, pem)
}

fn leaf(
    issuer: &Issuer<'_, KeyPair>,
    names: &[&str],
    cn: &str,
    usage: ExtendedKeyUsagePurpose,
) -> (String, String) {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .expect("leaf params");
    params.distinguished_name.push(DnType::CommonName, cn);
    params.extended_key_usages = vec![usage];
    let key = KeyPair::generate().expect("leaf key");
    let cert = params.signed_by(&key, issuer).expect("sign leaf");
    (cert.pem(), key.serialize_pem())
}

impl Pki {
    /// Generates everything into `dir`.
    pub fn generate(dir: &Path) -> Pki {
        let (ca_params, ca_key, ca_pem) = ca("putcheck test CA");
        let issuer = Issuer::new(ca_params, ca_key);
        let (server_pem, server_key) = leaf(
            &issuer,
            &["localhost", "127.0.0.1"],
            "localhost",
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let (client_pem, client_key) = leaf(
            &issuer,
            &["client.test"],
            "putcheck test client",
            ExtendedKeyUsagePurpose::ClientAuth,
        );
        let (rogue_params, rogue_key, _) = ca("some other CA");
        let rogue_issuer = Issuer::new(rogue_params, rogue_key);
        let (rogue_pem, rogue_key) = leaf(
            &rogue_issuer,
            &["rogue.test"],
            "rogue client",
            ExtendedKeyUsagePurpose::ClientAuth,
        );
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).expect("write pem");
            p
        };
        write("client.pem", &client_pem);
        write("client-key.pem", &client_key);
        write("client-combined.pem", &format!("{client_pem}{client_key}"));
        write("rogue-combined.pem", &format!("{rogue_pem}{rogue_key}"));
        Pki {
            ca: write("ca.pem", &ca_pem),
            server_cert: write("server.pem", &server_pem),
            server_key: write("server-key.pem", &server_key),
        }
    }

    fn provider() -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    fn server_chain(&self) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let certs = CertificateDer::pem_file_iter(&self.server_cert)
            .expect("server cert")
            .collect::<Result<Vec<_>, _>>()
            .expect("server cert pem");
        let key = PrivateKeyDer::from_pem_file(&self.server_key).expect("server key");
        (certs, key)
    }

    /// A server that asks for no client certificate.
    pub fn server_config(&self) -> Arc<ServerConfig> {
        let (certs, key) = self.server_chain();
        let config = ServerConfig::builder_with_provider(Self::provider())
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("server config");
        Arc::new(config)
    }

    /// A server that requires a client certificate signed by the test CA (mutual TLS).
    pub fn mtls_server_config(&self) -> Arc<ServerConfig> {
        let (certs, key) = self.server_chain();
        let mut roots = RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(&self.ca).expect("ca") {
            roots.add(c.expect("ca pem")).expect("add ca");
        }
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Self::provider())
                .build()
                .expect("client verifier");
        let config = ServerConfig::builder_with_provider(Self::provider())
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(certs, key)
            .expect("server config");
        Arc::new(config)
    }
}
