# allot_layer(NAME DEPS ...): a static library from the .cc files of this folder (and its
# subfolders), tests and mains excluded.
function(allot_layer name)
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  list(FILTER srcs EXCLUDE REGEX "(_test|_itest|_main)\\.cc$")
  if(NOT srcs)  # a layer being started: headers only so far
    add_library(allot_${name} INTERFACE)
    target_include_directories(allot_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(allot_${name} INTERFACE ${ARGN})
    return()
  endif()
  add_library(allot_${name} STATIC ${srcs})
  target_include_directories(allot_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(allot_${name} PUBLIC ${ARGN})
endfunction()

# allot_tests(NAME LABEL DEPS ...): one GoogleTest binary from the *_test.cc (LABEL unit) or
# *_itest.cc (LABEL integration) files of this folder, registered with CTest under LABEL.
function(allot_tests name label)
  if(label STREQUAL "unit")
    set(pattern "*_test.cc")
  else()
    set(pattern "*_itest.cc")
  endif()
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${pattern})
  if(NOT srcs)
    return()
  endif()
  add_executable(${name} ${srcs})
  # Test bodies are assertions around calls into the layers (built -O2 as shipped): -O1 is
  # enough for them and compiles about a fifth faster, which keeps CI inside its budget.
  if(CMAKE_BUILD_TYPE STREQUAL "RelWithDebInfo" OR CMAKE_BUILD_TYPE STREQUAL "Release")
    target_compile_options(${name} PRIVATE -O1)
  endif()
  target_link_libraries(${name} PRIVATE ${ARGN} allot_testing GTest::gtest GTest::gmock
                        GTest::gtest_main)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${label}
                       ENVIRONMENT "ALLOT_BIN_DIR=${PROJECT_BINARY_DIR}/bin")
endfunction()
