"""String types for annotations: plain ``str`` at run time, a field class of their own when annotated.

One definition for serializers and filters alike: ``name: Email`` declares an
``EmailField`` on a restflow serializer and an e-mail filter on a FilterSet.
"""

from typing import NewType

__all__ = ["BlankableString", "Email", "IPAddress"]

Email = NewType("Email", str)
IPAddress = NewType("IPAddress", str)
BlankableString = NewType("BlankableString", str)
