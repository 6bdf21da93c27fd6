// Messages en français de la page de paiement. Same keys as en.ts (checked by the type and a test).
import type { Catalogue } from "./en";

const fr: Catalogue = {
  loadingHeading: "Chargement de votre commande",
  loadingBody: "Un instant, nous récupérons le détail de votre inscription.",
  checkingHeading: "Vérification de votre paiement",
  checkingBody: "Un instant, nous demandons l’état de votre paiement.",
  summaryKicker: "Paiement de l’inscription",
  summaryFallbackTitle: "Votre inscription",
  attendeesHeading: "Participants",
  attendeeFallback: "Participant {n}",
  totalLabel: "Total",
  timeLeft: "Temps restant pour payer : {time}",
  payButton: "Payer {amount}",
  payPressed: "Ouverture de la page de paiement sécurisée…",
  cancelLink: "Annuler et revenir à l’événement",
  cancelledNotice:
    "Votre paiement a été annulé. Vous pouvez encore payer jusqu’à la fin du temps indiqué ci-dessous.",
  secureNoteProvider:
    "Vous payez sur la page sécurisée de {provider}. Vos données bancaires ne transitent jamais par ce site.",
  secureNote:
    "Vous payez sur la page sécurisée de notre prestataire de paiement. Vos données bancaires ne transitent jamais par ce site.",
  awaitingHeading: "En attente de votre paiement",
  awaitingBody:
    "Nous n’avons pas encore reçu la confirmation de votre paiement. Cette page se met à jour toute seule.",
  paidHeading: "Paiement reçu",
  paidBody: "Merci. Nous confirmons maintenant votre inscription ; cela prend en général quelques secondes.",
  finalizingHeading: "Confirmation de votre inscription",
  finalizingBody:
    "Votre paiement est reçu et votre inscription est en cours de finalisation. Gardez cette page ouverte.",
  finalizedHeading: "Inscription confirmée",
  finalizedBody: "Votre inscription est terminée. Redirection vers votre confirmation…",
  refundPendingHeading: "Remboursement en cours",
  refundPendingBody:
    "Nous n’avons pas pu finaliser votre inscription : votre paiement vous est rendu. La page se mettra à jour une fois le remboursement effectué.",
  refundedHeading: "Paiement remboursé",
  refundedBody:
    "Votre paiement vous a été intégralement rendu sur la carte ou le compte utilisé. Vous n’êtes pas inscrit.",
  refundReasonDeadline: "Le paiement a été confirmé après le délai accordé pour finaliser l’inscription.",
  refundReasonMismatch: "Le montant payé ne correspondait pas au prix de l’inscription.",
  refundReasonRejected:
    "Le système de gestion des événements a refusé l’inscription (par exemple, l’événement est complet).",
  refundReasonDuplicate: "Cette inscription avait déjà été payée une fois.",
  refundReasonOther: "L’inscription n’a pas pu être finalisée.",
  refundedTiming: "Selon votre banque, l’argent peut mettre quelques jours à apparaître.",
  expiredHeading: "Le délai de paiement est écoulé",
  expiredBody:
    "Cette inscription était réservée pour une durée limitée et ne peut plus être payée. Inscrivez-vous à nouveau depuis la page de l’événement.",
  failedHeading: "Paiement non abouti",
  failedBody:
    "Votre paiement n’a pas pu aboutir et vous n’êtes pas inscrit. Si un montant a été prélevé, il vous sera rendu.",
  unreachableHeading: "Le service de paiement est injoignable",
  unreachableBody:
    "Vérifiez votre connexion, puis réessayez. Si vous avez déjà payé, rien n’est perdu : votre paiement sera soit confirmé, soit rendu.",
  stalledHeading: "Cela prend plus de temps que d’habitude",
  stalledBody: "Nous attendons toujours la confirmation de votre paiement. Réessayez dans un instant.",
  retryButton: "Réessayer",
  resumePayment: "Revenir au paiement",
  missingIdHeading: "Ce lien de paiement est incomplet",
  missingIdBody:
    "Nous ne savons pas quelle inscription régler. Revenez à l’événement et inscrivez-vous à nouveau.",
  invalidIdHeading: "Ce lien de paiement n’est pas valide",
  invalidIdBody:
    "La référence d’inscription contenue dans l’adresse n’est pas reconnue. Revenez à l’événement et inscrivez-vous à nouveau.",
  notFoundHeading: "Inscription introuvable",
  notFoundBody:
    "Nous ne trouvons pas cette inscription. Elle a peut-être été annulée. Revenez à l’événement et inscrivez-vous à nouveau.",
  notConfiguredHeading: "Le paiement n’est pas encore disponible",
  notConfiguredBody: "Cette page de paiement n’est pas configurée. Contactez l’organisateur de l’événement.",
  backToEvent: "Retour à l’événement",
  backToSite: "Retour au site",
  support: "Besoin d’aide ? Contactez {contact}.",
};

export default fr;
