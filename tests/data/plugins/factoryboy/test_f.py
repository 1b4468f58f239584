def test_author(author): pass
def test_second(second_author): pass
def test_book(book): pass
def test_review(my_review): pass
def test_factories(author_factory, book_factory, review_factory): pass
