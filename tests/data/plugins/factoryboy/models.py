class Author:
    def __init__(self, **kw): self.__dict__.update(kw)
class Book:
    def __init__(self, **kw): self.__dict__.update(kw)
class Review:
    def __init__(self, **kw): self.__dict__.update(kw)
