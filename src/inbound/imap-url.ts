// inbound.imapUrl -> what the IMAP client needs. The URL was checked at load (checkImapUrl in
// src/config/checks.ts: imap: or imaps:, a host, a user and a password); this reads it. imaps://
// is TLS from the first byte (port 993); imap:// must upgrade with STARTTLS before the password is
// sent (port 143): there is no form that logs in over plain text.
export interface ImapMailbox {
  host: string;
  port: number;
  /** TLS from the start (imaps://); otherwise STARTTLS is required. */
  secure: boolean;
  user: string;
  password: string;
  /** The folder polled: the URL's path, INBOX when it has none. */
  mailbox: string;
  /** The URL without its password, for log lines. */
  shown: string;
}

export function parseImapUrl(url: string): ImapMailbox {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'imaps:';
  const port = parsed.port === '' ? (secure ? 993 : 143) : Number(parsed.port);
  // An IPv6 host is bracketed in URL.hostname; the socket wants it bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const mailbox = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'INBOX';
  const user = decodeURIComponent(parsed.username);
  return {
    host,
    port,
    secure,
    user,
    password: decodeURIComponent(parsed.password),
    mailbox,
    shown: `${parsed.protocol}//${parsed.username}@${parsed.host}/${encodeURIComponent(mailbox)}`,
  };
}
