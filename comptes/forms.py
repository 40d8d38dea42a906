from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from commun.forms import StyledFormMixin


class ConnexionForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse e-mail",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={
            "required": "Saisissez votre adresse e-mail.",
            "invalid": "Saisissez une adresse e-mail valide.",
        },
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Saisissez votre mot de passe."},
    )

    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé. Contactez l'administrateur de la plateforme.",
    }


class ChoixOrganisationForm(forms.Form):
    membership = forms.TypedChoiceField(label="Organisation et rôle", coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [
            (m.pk, f"{m.organisation.nom} — {m.get_role_display()}") for m in memberships
        ]
        self.fields["membership"].error_messages["invalid_choice"] = "Choisissez une de vos organisations."
        self.fields["membership"].error_messages["required"] = "Choisissez une organisation."


class MotDePasseOublieForm(StyledFormMixin, PasswordResetForm):
    pass


class NouveauMotDePasseForm(StyledFormMixin, SetPasswordForm):
    pass


class PreferencesNotificationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        from comptes.models import PreferencesNotification

        model = PreferencesNotification
        fields = ["email_informatif", "in_app_informatif", "recapitulatif_quotidien"]
