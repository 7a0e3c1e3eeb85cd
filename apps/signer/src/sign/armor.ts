/** RFC 4880 §6.1 CRC-24 of the data, for the armor checksum line. */
function crc24(data: Uint8Array): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let bit = 0; bit < 8; bit++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

const ARMOR_BEGIN = '-----BEGIN PGP MESSAGE-----';

export function isArmoredMessage(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 4096)).toString('latin1').includes(ARMOR_BEGIN);
}

/**
 * ASCII armor for a binary OpenPGP message (`gpg --sign` without `-a`): pgpSignedAttestation.signature
 * is a string holding the armored text, so a binary signature is armored before upload.
 */
export function armorMessage(binary: Uint8Array): string {
  const body = Buffer.from(binary)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  const crc = crc24(binary);
  const checksum = Buffer.from([(crc >> 16) & 0xff, (crc >> 8) & 0xff, crc & 0xff]);
  return `${ARMOR_BEGIN}\n\n${body}=${checksum.toString('base64')}\n-----END PGP MESSAGE-----\n`;
}
