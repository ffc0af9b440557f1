// Provider payloads shaped like each provider's documented samples (field names and nesting as in
// their documentation; addresses and ids ours), shared by the reader and the route tests.

/** docs.aws.amazon.com/ses/latest/dg/notification-examples.html: a bounce with a DSN and the original headers. */
export function sesBounce(over: { bounceType?: string; recipients?: string[]; feedbackId?: string; headers?: Array<{ name: string; value: string }> } = {}) {
  const recipients = over.recipients ?? ['reader0@example.org'];
  return {
    notificationType: 'Bounce',
    bounce: {
      bounceType: over.bounceType ?? 'Permanent',
      reportingMTA: 'dns; email.example.com',
      bouncedRecipients: recipients.map((emailAddress) => ({ emailAddress, status: '5.1.1', action: 'failed', diagnosticCode: `smtp; 550 5.1.1 <${emailAddress}>... User` })),
      bounceSubType: 'General',
      timestamp: '2026-11-27T14:59:38.237Z',
      feedbackId: over.feedbackId ?? '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000',
      remoteMtaIp: '127.0.2.0',
    },
    mail: {
      timestamp: '2026-11-27T14:59:38.237Z',
      source: 'news@news.test',
      sourceArn: 'arn:aws:ses:eu-west-1:888888888888:identity/news.test',
      sourceIp: '127.0.3.0',
      sendingAccountId: '123456789012',
      messageId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000',
      destination: recipients,
      headersTruncated: false,
      headers: over.headers ?? [
        { name: 'From', value: '"Test Weekly" <news@news.test>' },
        { name: 'To', value: recipients.join(', ') },
      ],
      commonHeaders: { from: ['Test Weekly <news@news.test>'], to: recipients, subject: 'Issue 1' },
    },
  };
}

/** The same page: a complaint with a feedback report. */
export function sesComplaint(address = 'reader1@example.org', feedbackId = '0000013786031775-163e3910-53eb-4c8e-a04a-f29debf88a84-000000') {
  return {
    notificationType: 'Complaint',
    complaint: {
      userAgent: 'AnyCompany Feedback Loop (V0.01)',
      complainedRecipients: [{ emailAddress: address }],
      complaintFeedbackType: 'abuse',
      arrivalDate: '2026-11-27T14:59:38.237Z',
      timestamp: '2026-11-27T14:59:38.237Z',
      feedbackId,
    },
    mail: {
      timestamp: '2026-11-27T14:59:38.237Z',
      messageId: '000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000',
      source: 'news@news.test',
      destination: [address],
    },
  };
}

/** postmarkapp.com/developer/webhooks/bounce-webhook (its ID is 64-bit, as in the sample). */
export function postmarkBounce(type = 'HardBounce', email = 'reader0@example.org', id = '4323372036854775807') {
  return `{"RecordType":"Bounce","MessageStream":"outbound","ID":${id},"Type":"${type}","TypeCode":1,"Name":"Hard bounce","Tag":"Test",
"MessageID":"883953f4-6105-42a2-a16a-77a8eac79483","Metadata":{"a_key":"a_value"},"ServerID":23,
"Description":"The server was unable to deliver your message (ex: unknown user, mailbox not found).",
"Details":"smtp;550 5.1.1 The email account that you tried to reach does not exist.","Email":"${email}","From":"news@news.test",
"BouncedAt":"2026-11-27T16:33:54.9070259Z","DumpAvailable":true,"Inactive":true,"CanActivate":true,"Subject":"Issue 1","Content":"Return-Path:..."}`;
}

/** postmarkapp.com/developer/webhooks/spam-complaint-webhook */
export function postmarkComplaint(email = 'reader1@example.org', id = 42) {
  return JSON.stringify({
    RecordType: 'SpamComplaint',
    MessageStream: 'outbound',
    ID: id,
    Type: 'SpamComplaint',
    TypeCode: 512,
    Name: 'Spam complaint',
    Tag: 'Test',
    MessageID: '00000000-0000-0000-0000-000000000000',
    Metadata: { a_key: 'a_value' },
    ServerID: 1234,
    Description: '',
    Details: 'Test spam complaint details',
    Email: email,
    From: 'news@news.test',
    BouncedAt: '2026-11-27T16:33:54.9070259Z',
    DumpAvailable: true,
    Inactive: true,
    CanActivate: false,
    Subject: 'Issue 1',
    Content: '<Abuse report dump>',
  });
}

/** documentation.mailgun.com webhooks: the `failed` and `complained` event-data samples. */
export function mailgunEventData(event: 'failed' | 'complained' | 'delivered', over: { severity?: string; recipient?: string; id?: string } = {}) {
  const base = { id: over.id ?? 'G9Bn5sl1TC6nu79C8C0bwg', timestamp: 1764254762.908181, 'log-level': 'error', event, recipient: over.recipient ?? 'reader0@example.org' };
  if (event !== 'failed') return { ...base, 'log-level': 'warn', message: { headers: { 'message-id': '20261127.1@news.test' } } };
  return {
    ...base,
    severity: over.severity ?? 'permanent',
    reason: 'bounce',
    'delivery-status': { 'attempt-no': 1, code: 550, message: '5.1.1 The email account that you tried to reach does not exist', 'enhanced-code': '5.1.1', description: '' },
    message: { headers: { to: 'reader0@example.org', 'message-id': '20261127.1@news.test', from: 'news@news.test', subject: 'Issue 1' }, attachments: [], size: 111 },
    'user-variables': {},
    flags: { 'is-routed': false, 'is-authenticated': true, 'is-system-test': false, 'is-test-mode': false },
  };
}

/** twilio.com/docs/sendgrid/for-developers/tracking-events/event: bounce, blocked, deferred, spamreport and a delivered. */
export function sendgridBatch(email = 'reader0@example.org') {
  const common = {
    email,
    timestamp: 1764254762,
    'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>',
    category: 'cat facts',
    sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0',
  };
  return [
    { ...common, event: 'bounce', sg_event_id: 'bounce-6g4ZI7SA-xmRDv57GoPIPw==', reason: '500 unknown recipient', status: '5.0.0', type: 'bounce' },
    { ...common, event: 'bounce', sg_event_id: 'blocked-6g4ZI7SA-xmRDv57GoPIPw==', reason: '550 blocked', status: '5.7.1', type: 'blocked' },
    { ...common, event: 'deferred', sg_event_id: 'deferred-6g4ZI7SA-xmRDv57GoPIPw==', response: '400 try again later', attempt: '5' },
    { ...common, event: 'delivered', sg_event_id: 'delivered-6g4ZI7SA-xmRDv57GoPIPw==', response: '250 OK' },
  ];
}

export function sendgridSpamreport(email = 'reader1@example.org') {
  return [
    { email, timestamp: 1764254762, event: 'spamreport', sg_event_id: 'spam-6g4ZI7SA-xmRDv57GoPIPw==', sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0' },
  ];
}
