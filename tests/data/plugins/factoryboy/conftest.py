import factory
from pytest_factoryboy import register, LazyFixture
from models import Author, Book, Review

class AuthorFactory(factory.Factory):
    class Meta:
        model = Author
    name = "Charles"
    email = LazyFixture("author_email")

class BookFactory(factory.Factory):
    class Meta:
        model = Book
    title = factory.Faker("sentence")
    author = factory.SubFactory(AuthorFactory)
    class Params:
        hardcover = factory.Trait(pages=500)
        lang = "en"

class ReviewFactory(factory.Factory):
    class Meta:
        model = Review
    book = factory.SubFactory(BookFactory)
    stars = 5

import pytest
@pytest.fixture
def author_email(): return "a@b"

register(AuthorFactory)
register(AuthorFactory, "second_author")
register(BookFactory)
register(ReviewFactory, _name="my_review", stars=3)

