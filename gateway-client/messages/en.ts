// English messages of the gateway page. This catalogue is the reference: every other language
// must provide exactly the same keys (the type below and a test check it).
// Placeholders in braces ({amount}, {time}, …) are filled by formatMessage.
const en = {
  loadingHeading: "Loading your order",
  loadingBody: "One moment while we fetch the details of your registration.",
  checkingHeading: "Checking your payment",
  checkingBody: "One moment while we ask for the state of your payment.",
  summaryKicker: "Registration payment",
  summaryFallbackTitle: "Your registration",
  attendeesHeading: "Attendees",
  attendeeFallback: "Attendee {n}",
  totalLabel: "Total",
  timeLeft: "Time left to pay: {time}",
  payButton: "Pay {amount}",
  payPressed: "Opening the secure payment page…",
  cancelLink: "Cancel and return to the event",
  cancelledNotice: "Your payment was cancelled. You can still pay until the time below runs out.",
  secureNoteProvider: "You pay on the secure page of {provider}. Your card details never reach this site.",
  secureNote: "You pay on the secure page of our payment provider. Your card details never reach this site.",
  awaitingHeading: "Waiting for your payment",
  awaitingBody: "We have not received confirmation of your payment yet. This page updates by itself.",
  paidHeading: "Payment received",
  paidBody: "Thank you. We are now confirming your registration; this usually takes a few seconds.",
  finalizingHeading: "Confirming your registration",
  finalizingBody:
    "Your payment is received and your registration is being completed. Please keep this page open.",
  finalizedHeading: "Registration confirmed",
  finalizedBody: "Your registration is complete. Taking you to your confirmation…",
  refundPendingHeading: "Refund in progress",
  refundPendingBody:
    "We could not complete your registration, so we are returning your payment. The page will update when the refund is done.",
  refundedHeading: "Payment refunded",
  refundedBody:
    "Your payment has been returned in full to the card or account you paid with. You have not been registered.",
  refundReasonDeadline: "The payment was confirmed after the time allowed to complete the registration.",
  refundReasonMismatch: "The amount paid did not match the price of the registration.",
  refundReasonRejected: "The event system refused the registration (for example, the event is full).",
  refundReasonDuplicate: "This registration had already been paid for once.",
  refundReasonOther: "The registration could not be completed.",
  refundedTiming: "Depending on your bank, the money can take a few days to appear.",
  expiredHeading: "Time to pay has run out",
  expiredBody:
    "This registration was held for a limited time and can no longer be paid. Please register again from the event page.",
  failedHeading: "Payment not completed",
  failedBody:
    "Your payment could not be completed and you have not been registered. If any money was taken, it will be returned.",
  unreachableHeading: "We cannot reach the payment service",
  unreachableBody:
    "Check your connection, then try again. If you have already paid, nothing is lost: your payment is either confirmed or returned.",
  stalledHeading: "This is taking longer than usual",
  stalledBody: "We are still waiting for your payment to be confirmed. Try again in a moment.",
  retryButton: "Try again",
  resumePayment: "Go back to payment",
  missingIdHeading: "This payment link is incomplete",
  missingIdBody: "We could not tell which registration to pay for. Go back to the event and register again.",
  invalidIdHeading: "This payment link is not valid",
  invalidIdBody:
    "The registration reference in the address is not recognised. Go back to the event and register again.",
  notFoundHeading: "Registration not found",
  notFoundBody:
    "We could not find this registration. It may have been cancelled. Go back to the event and register again.",
  notConfiguredHeading: "Payments are not available yet",
  notConfiguredBody: "This payment page has not been set up. Please contact the event organiser.",
  backToEvent: "Back to the event",
  backToSite: "Back to the site",
  support: "Need help? Contact {contact}.",
};

export type MessageKey = keyof typeof en;
export type Catalogue = Record<MessageKey, string>;

export default en satisfies Catalogue;
