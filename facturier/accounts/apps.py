from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "facturier.accounts"
    label = "accounts"
    verbose_name = "Comptes vendeurs"
