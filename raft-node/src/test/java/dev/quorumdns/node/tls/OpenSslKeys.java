package dev.quorumdns.node.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keys and certificates made by the openssl command, in every PEM form operators meet: a CA, and
 * one RSA and one EC key, each written as PKCS#8, PKCS#1/SEC1 and encrypted, with a certificate
 * (serverAuth and clientAuth, SAN 127.0.0.1) signed by the CA. Files live in one directory.
 */
final class OpenSslKeys {
  static final String PASSPHRASE = "correct horse battery staple";

  /** A key form: its file name, whether it is encrypted, and which certificate it belongs to. */
  enum Form {
    RSA_PKCS8("rsa-pkcs8.pem", false, "rsa"),
    RSA_PKCS1("rsa-pkcs1.pem", false, "rsa"),
    RSA_PKCS8_ENCRYPTED("rsa-pkcs8-enc.pem", true, "rsa"),
    RSA_PKCS1_ENCRYPTED("rsa-pkcs1-enc.pem", true, "rsa"),
    EC_SEC1("ec-sec1.pem", false, "ec"),
    EC_PKCS8("ec-pkcs8.pem", false, "ec"),
    EC_PKCS8_ENCRYPTED("ec-pkcs8-enc.pem", true, "ec"),
    EC_PKCS8_ENCRYPTED_LEGACY("ec-pkcs8-enc-3des.pem", true, "ec");

    final String file;
    final boolean encrypted;
    final String cert;

    Form(String file, boolean encrypted, String cert) {
      this.file = file;
      this.encrypted = encrypted;
      this.cert = cert;
    }
  }

  private final Path dir;

  private OpenSslKeys(Path dir) {
    this.dir = dir;
  }

  /** Makes the CA, both keys in every form, and their certificates in {@code dir}. */
  static OpenSslKeys make(Path dir) throws IOException, InterruptedException {
    OpenSslKeys k = new OpenSslKeys(dir);
    Files.writeString(dir.resolve("pass"), PASSPHRASE + "\n");
    Files.writeString(
        dir.resolve("ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,"
            + "keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:n1\n");
    k.run(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/O=QuorumDNS/CN=openssl CA",
        "-keyout",
        "ca-key.pem",
        "-out",
        "ca.pem",
        "-addext",
        "basicConstraints=critical,CA:TRUE,pathlen:0",
        "-addext",
        "keyUsage=critical,keyCertSign");
    k.run(
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        Form.RSA_PKCS8.file);
    k.run("rsa", "-in", Form.RSA_PKCS8.file, "-traditional", "-out", Form.RSA_PKCS1.file);
    k.run(
        "pkcs8",
        "-topk8",
        "-in",
        Form.RSA_PKCS8.file,
        "-passout",
        "file:pass",
        "-out",
        Form.RSA_PKCS8_ENCRYPTED.file);
    k.run(
        "rsa",
        "-in",
        Form.RSA_PKCS8.file,
        "-traditional",
        "-aes256",
        "-passout",
        "file:pass",
        "-out",
        Form.RSA_PKCS1_ENCRYPTED.file);
    k.run("ecparam", "-name", "prime256v1", "-genkey", "-out", Form.EC_SEC1.file);
    k.run("pkcs8", "-topk8", "-nocrypt", "-in", Form.EC_SEC1.file, "-out", Form.EC_PKCS8.file);
    k.run(
        "pkcs8",
        "-topk8",
        "-in",
        Form.EC_SEC1.file,
        "-passout",
        "file:pass",
        "-out",
        Form.EC_PKCS8_ENCRYPTED.file);
    k.run(
        "pkcs8",
        "-topk8",
        "-v1",
        "PBE-SHA1-3DES",
        "-in",
        Form.EC_SEC1.file,
        "-passout",
        "file:pass",
        "-out",
        Form.EC_PKCS8_ENCRYPTED_LEGACY.file);
    for (String c : List.of("rsa", "ec")) {
      k.run(
          "req",
          "-new",
          "-key",
          c.equals("rsa") ? Form.RSA_PKCS8.file : Form.EC_PKCS8.file,
          "-subj",
          "/O=QuorumDNS/CN=n1-" + c,
          "-out",
          c + ".csr");
      k.run(
          "x509",
          "-req",
          "-in",
          c + ".csr",
          "-CA",
          "ca.pem",
          "-CAkey",
          "ca-key.pem",
          "-CAcreateserial",
          "-days",
          "2",
          "-extfile",
          "ext",
          "-out",
          c + ".pem");
    }
    return k;
  }

  Path dir() {
    return dir;
  }

  Path ca() {
    return dir.resolve("ca.pem");
  }

  Path key(Form f) {
    return dir.resolve(f.file);
  }

  Path cert(Form f) {
    return dir.resolve(f.cert + ".pem");
  }

  Path passphrase() {
    return dir.resolve("pass");
  }

  /** The passphrase file a form needs, or null. */
  Path passphrase(Form f) {
    return f.encrypted ? passphrase() : null;
  }

  String text(Form f) throws IOException {
    return Files.readString(key(f), StandardCharsets.US_ASCII);
  }

  private void run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("openssl did not finish within 60 s: " + cmd);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException("openssl failed (" + p.exitValue() + "): " + cmd + "\n" + out);
    }
  }
}
