from django.urls import path

from livrables import views, views_emargement, views_publiques

app_name = "livrables"

urlpatterns = [
    # The documents of a case.
    path("prestations/<int:pk>/livrables/", views.transmettre, name="transmettre"),
    path("prestations/<int:pk>/livrables/rediger/", views.rediger, name="rediger"),
    path("livrables/<int:pk>/", views.detail, name="detail"),
    path("livrables/<int:pk>/apercu.pdf", views.apercu, name="apercu"),
    path("livrables/<int:pk>/document-a-signer.pdf", views.document_a_signer, name="a_signer"),
    path("livrables/<int:pk>/telecharger/", views.telecharger, name="telecharger"),
    path("livrables/<int:pk>/soumettre/", views.soumettre, name="soumettre"),
    path("livrables/<int:pk>/reprendre/", views.reprendre, name="reprendre"),
    path("livrables/<int:pk>/signer/", views.signer, name="signer"),
    path("livrables/<int:pk>/lien/", views.envoyer_lien, name="envoyer_lien"),
    path("livrables/<int:pk>/scan/", views.deposer_scan, name="deposer_scan"),
    path("livrables/<int:pk>/corriger/", views.corriger, name="corriger"),
    path("livrables/<int:pk>/transmettre/", views.transmettre_livrable, name="transmettre_livrable"),
    path("livrables/<int:pk>/transmettre-en-l-etat/", views.transmettre_en_l_etat, name="transmettre_en_l_etat"),
    # Attendance proofs (EMA-01).
    path("prestations/<int:pk>/emargements/<int:entretien_pk>/", views_emargement.emarger, name="emarger"),
    path("prestations/<int:pk>/feuille-emargement.pdf", views_emargement.feuille, name="feuille"),
    # Without an account, or from a document's QR code.
    path("signature/<str:jeton>/", views_publiques.signature_distance, name="signature_distance"),
    path("signature/<str:jeton>/document.pdf", views_publiques.document_distance, name="document_distance"),
    path("copie/<str:jeton>/", views_publiques.copie, name="copie"),
    path("verification/", views_publiques.verification, name="verification"),
    path("verification/<str:reference>/", views_publiques.verification_reference, name="verification_reference"),
]
