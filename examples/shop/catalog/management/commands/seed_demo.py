"""``manage.py seed_demo``: demo categories, products, reviews and a user with an API token.

Safe to run again: rows are looked up by their natural keys (slug, SKU, username)
and only created when missing, so a second run changes nothing.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

from catalog.models import Category, Product, Review

CATEGORIES = [("Kitchen", "kitchen"), ("Garden", "garden"), ("Books", "books")]

PRODUCTS = [
    # sku, name, category slug, price, stock, status
    ("KIT-001", "Enamel mug", "kitchen", "12.50", 40, "active"),
    ("KIT-002", "Cast iron pan", "kitchen", "48.00", 7, "active"),
    ("KIT-003", "Bread knife", "kitchen", "23.90", 0, "active"),
    ("KIT-004", "Spice rack", "kitchen", "31.00", 12, "draft"),
    ("GAR-001", "Watering can", "garden", "19.99", 25, "active"),
    ("GAR-002", "Pruning shears", "garden", "27.45", 3, "active"),
    ("GAR-003", "Seed tray", "garden", "4.20", 150, "active"),
    ("GAR-004", "Hose reel", "garden", "64.00", 0, "discontinued"),
    ("BOO-001", "Field guide to mosses", "books", "18.00", 9, "active"),
    ("BOO-002", "Async Python in practice", "books", "39.00", 14, "active"),
    ("BOO-003", "A year of soups", "books", "22.00", 5, "draft"),
    ("BOO-004", "Maps of forgotten rivers", "books", "29.50", 2, "active"),
]

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"


class Command(BaseCommand):
    help = "Create demo rows and a demo user with an API token (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print only the token.")

    def handle(self, *args, quiet=False, **options):
        with transaction.atomic():
            created = self.seed()
            user = self.demo_user()
            token, _ = Token.objects.get_or_create(user=user)
            self.seed_reviews(user)
        if quiet:
            self.stdout.write(token.key)
            return
        self.stdout.write(f"seed_demo: {created} new products, {Product.objects.count()} in all")
        self.stdout.write(f"  demo user: {DEMO_USERNAME} / {DEMO_PASSWORD} (log in at /api-auth/login/)")
        self.stdout.write(f"  API token: {token.key}")
        self.stdout.write(f'  send it as the header "Authorization: Token {token.key}" to create, change or archive')

    def seed(self):
        categories = {}
        for name, slug in CATEGORIES:
            categories[slug], _ = Category.objects.get_or_create(slug=slug, defaults={"name": name})
        created = 0
        for sku, name, slug, price, stock, status in PRODUCTS:
            _, was_created = Product.objects.get_or_create(
                sku=sku,
                defaults={
                    "name": name,
                    "category": categories[slug],
                    "price": Decimal(price),
                    "stock": stock,
                    "status": status,
                    "description": f"{name}, from the {categories[slug].name.lower()} shelf.",
                },
            )
            created += was_created
        return created

    def demo_user(self):
        User = get_user_model()
        user, was_created = User.objects.get_or_create(username=DEMO_USERNAME)
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def seed_reviews(self, user):
        for sku, rating, title in [
            ("KIT-001", 5, "Keeps tea warm"),
            ("KIT-002", 4, "Heavy but worth it"),
            ("GAR-003", 3, "Does the job"),
        ]:
            Review.objects.get_or_create(
                product=Product.objects.get(sku=sku), author=user, title=title, defaults={"rating": rating}
            )
